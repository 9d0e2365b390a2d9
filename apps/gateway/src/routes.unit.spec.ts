import { routeOf } from './routes';

describe('gateway route table', () => {
  it.each([
    ['GET', '/api/v1/models/m/versions/1/artifacts/model.pkl', 'artifact'],
    ['GET', '/api/v1/policy', 'governance'],
    ['PUT', '/api/v1/policy', 'governance'],
    ['POST', '/api/v1/models', 'registration'],
    ['GET', '/api/v1/models', 'audit'],
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

  it('has no route outside the two APIs', () => {
    expect(routeOf('GET', '/api/2.0/other/thing')).toBeUndefined();
    expect(routeOf('POST', '/api/v1/versions')).toBeUndefined();
  });
});
