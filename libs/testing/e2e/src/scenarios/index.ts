// Every scenario suite, one file per area. Each runs against whatever topology the spec importing this list
// starts (HTTP only, unique model names per run), so the same list covers embedded and distributed deployments.
import './main-flow.scenario';
import './models.scenario';
import './versions.scenario';
import './aliases.scenario';
import './protected-aliases.scenario';
import './artifacts.scenario';
import './transitions.scenario';
import './history.scenario';
import './deleted-models.scenario';
import './auth.scenario';
import './api-tokens.scenario';
import './hostile-input.scenario';
import './stored-values.scenario';
import './safe-serving.scenario';
import './idempotency.scenario';
import './read-your-writes.scenario';
import './mlflow-registry.scenario';
import './webhooks.scenario';
import './access.scenario';
