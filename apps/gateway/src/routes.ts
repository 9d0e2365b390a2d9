/** Which service answers a request: the production topology's single HTTP entry point (route table). */
export type Service = 'registration' | 'governance' | 'artifact' | 'audit';

interface Route {
  readonly methods: readonly string[];
  readonly path: RegExp;
  readonly service: Service;
}

const SEG = '[^/]+';
const MLFLOW = '^/api/2\\.0/mlflow';
const MODEL = `^/api/v1/models/${SEG}`;
const VERSION = `${MODEL}/versions/${SEG}`;

// Order matters: the first match wins. Reads go to audit (read models), writes to the owning service.
export const ROUTES: readonly Route[] = [
  { methods: ['GET', 'HEAD', 'PUT'], path: new RegExp(`${VERSION}/artifacts(/.*)?$`), service: 'artifact' },
  { methods: ['POST'], path: new RegExp(`${VERSION}/transitions$`), service: 'governance' },
  { methods: ['POST'], path: new RegExp(`^/api/v1/transitions/${SEG}/(approve|reject|cancel)$`), service: 'governance' },
  { methods: ['GET', 'PUT', 'PATCH'], path: new RegExp(`${MODEL}/policy$`), service: 'governance' },
  // A model's grants are read from its stream, where registration writes them (no read model in between).
  { methods: ['GET', 'HEAD', 'PUT', 'DELETE'], path: new RegExp(`${MODEL}/access(/(grants|visibility))?$`), service: 'registration' },
  { methods: ['GET', 'HEAD'], path: /^\/api\/v1\/transitions(\/[^/]+)?$/, service: 'governance' },
  { methods: ['GET', 'PUT', 'PATCH'], path: /^\/api\/v1\/policy$/, service: 'governance' },
  // Webhook subscriptions and their delivery logs live with governance, reads included (decision 34).
  { methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'], path: /^\/api\/v1\/webhooks(\/.*)?$/, service: 'governance' },
  // API tokens: issued, listed and revoked by governance, reads included (every service authenticates them itself).
  { methods: ['GET', 'HEAD', 'POST'], path: /^\/api\/v1\/tokens(\/[^/]+(\/revoke)?)?$/, service: 'governance' },
  // MLflow's API: the artifact proxy, transition-stage, registry reads (one of them a POST) and registry writes;
  // tracking (experiments, runs, logged models) lives with registration, and so does anything else MLflow asks.
  { methods: ['GET', 'HEAD', 'PUT', 'DELETE'], path: /^\/api\/2\.0\/mlflow-artifacts\//, service: 'artifact' },
  { methods: ['POST'], path: new RegExp(`${MLFLOW}/model-versions/transition-stage$`), service: 'governance' },
  { methods: ['POST'], path: new RegExp(`${MLFLOW}/registered-models/get-latest-versions$`), service: 'audit' },
  { methods: ['GET', 'HEAD'], path: new RegExp(`${MLFLOW}/(registered-models|model-versions)/`), service: 'audit' },
  { methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], path: /^\/api\/[23]\.0\/mlflow\//, service: 'registration' },
  { methods: ['GET', 'HEAD'], path: /^\/api\/v1\//, service: 'audit' },
  // The console's single sign-on code exchange: every service answers it (decision 36); audit with the reads.
  { methods: ['POST'], path: /^\/api\/v1\/sign-in\/token$/, service: 'audit' },
  { methods: ['POST', 'PUT', 'PATCH', 'DELETE'], path: /^\/api\/v1\/models(\/.*)?$/, service: 'registration' },
  // Restoring a deleted model (by id) is registration's write; the deleted models' list and reads are audit's GETs.
  { methods: ['POST'], path: new RegExp(`^/api/v1/deleted-models/${SEG}/restore$`), service: 'registration' },
];

export function routeOf(method: string, path: string): Service | undefined {
  return ROUTES.find((r) => r.methods.includes(method) && r.path.test(path))?.service;
}
