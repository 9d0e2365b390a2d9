import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeOf } from './routes';

describe('gateway route table', () => {
  it.each([
    ['GET', '/api/v1/models/m/versions/1/artifacts/model.pkl', 'artifact'],
    ['GET', '/api/v1/policy', 'governance'],
    ['PUT', '/api/v1/policy', 'governance'],
    ['PATCH', '/api/v1/policy', 'governance'],
    ['PUT', '/api/v1/models/m/policy', 'governance'],
    ['PATCH', '/api/v1/models/m/policy', 'governance'],
    ['POST', '/api/v1/webhooks', 'governance'],
    ['GET', '/api/v1/webhooks', 'governance'],
    ['PATCH', '/api/v1/webhooks/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10', 'governance'],
    ['DELETE', '/api/v1/webhooks/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10', 'governance'],
    ['GET', '/api/v1/webhooks/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/deliveries/msg_x', 'governance'],
    ['POST', '/api/v1/webhooks/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/deliveries/msg_x/redeliver', 'governance'],
    ['POST', '/api/v1/tokens', 'governance'],
    ['GET', '/api/v1/tokens', 'governance'],
    ['GET', '/api/v1/tokens/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10', 'governance'],
    ['POST', '/api/v1/tokens/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/revoke', 'governance'],
    ['POST', '/api/v1/models', 'registration'],
    ['GET', '/api/v1/models/fraud/access', 'registration'],
    ['PUT', '/api/v1/models/fraud/access/grants', 'registration'],
    ['DELETE', '/api/v1/models/fraud/access/grants', 'registration'],
    ['PUT', '/api/v1/models/fraud/access/visibility', 'registration'],
    ['GET', '/api/v1/models', 'audit'],
    ['GET', '/api/v1/deleted-models', 'audit'],
    ['GET', '/api/v1/deleted-models/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10', 'audit'],
    ['POST', '/api/v1/deleted-models/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/restore', 'registration'],
    ['GET', '/api/v1/models-by-id/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/history', 'audit'],
    ['GET', '/api/v1/models-by-id/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/versions/1/provenance', 'audit'],
    ['GET', '/api/v1/models-by-id/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/integrity', 'audit'],
    // MLflow's API: each route to the service that owns it.
    ['POST', '/api/2.0/mlflow/registered-models/create', 'registration'],
    ['PATCH', '/api/2.0/mlflow/model-versions/update', 'registration'],
    ['DELETE', '/api/2.0/mlflow/registered-models/alias', 'registration'],
    ['GET', '/api/2.0/mlflow/registered-models/get', 'audit'],
    ['GET', '/api/2.0/mlflow/model-versions/search', 'audit'],
    ['GET', '/api/2.0/mlflow/model-versions/get-download-uri', 'audit'],
    ['POST', '/api/2.0/mlflow/registered-models/get-latest-versions', 'audit'],
    ['POST', '/api/2.0/mlflow/model-versions/transition-stage', 'governance'],
    ['PUT', '/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/model/MLmodel', 'artifact'],
    ['GET', '/api/2.0/mlflow-artifacts/artifacts', 'artifact'],
    ['POST', '/api/2.0/mlflow/runs/create', 'registration'],
    ['GET', '/api/2.0/mlflow/experiments/get-by-name', 'registration'],
    ['POST', '/api/2.0/mlflow/logged-models/search', 'registration'],
    ['GET', '/api/3.0/mlflow/server-info', 'registration'],
  ])('%s %s → %s', (method, path, service) => {
    expect(routeOf(method, path)).toBe(service);
  });

  it('routes every operation of the published API somewhere (the gateway answers /health and /ready itself)', () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'api', 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const unrouted: string[] = [];
    for (const [template, operations] of Object.entries(doc.paths).filter(([p]) => p !== '/health' && p !== '/ready')) {
      const path = template.replace(/\{[^}]+\}/g, 'x1');
      for (const method of Object.keys(operations)) if (routeOf(method.toUpperCase(), path) === undefined) unrouted.push(`${method.toUpperCase()} ${template}`);
    }
    expect(unrouted).toEqual([]);
  });

  it('has no route outside the two APIs', () => {
    expect(routeOf('GET', '/api/2.0/other/thing')).toBeUndefined();
    expect(routeOf('POST', '/api/v1/versions')).toBeUndefined();
    expect(routeOf('POST', '/api/v1/deleted-models')).toBeUndefined();
    expect(routeOf('DELETE', '/api/v1/deleted-models/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10')).toBeUndefined();
  });
});
