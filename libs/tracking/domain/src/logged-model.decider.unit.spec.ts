import type { LoggedModelEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { loggedModelDecider, type CreateLoggedModel, type LoggedModelCommand } from './logged-model.decider';

const spec = deciderSpec(loggedModelDecider);
const id = 'm-0123456789abcdef0123456789abcdef';
const at = 1_700_000_000_000;
const location = `mlflow-artifacts:/1/models/${id}/artifacts`;
const create = (overrides: Partial<CreateLoggedModel['data']> = {}): LoggedModelCommand => ({
  type: 'CreateLoggedModel',
  data: { loggedModelId: id, experimentId: '1', experimentLifecycle: 'active', name: 'model', sourceRunId: 'r1', modelType: '', params: [{ key: 'C', value: '1.0' }], tags: [], artifactLocation: location, at, ...overrides },
});
const created: LoggedModelEvent = {
  type: 'LoggedModelCreated',
  data: { loggedModelId: id, experimentId: '1', name: 'model', sourceRunId: 'r1', modelType: '', params: { C: '1.0' }, tags: {}, artifactLocation: location, at },
};
const ready: LoggedModelEvent = { type: 'LoggedModelFinalized', data: { loggedModelId: id, status: 'LOGGED_MODEL_READY', at: at + 1 } };

describe('logged model', () => {
  it('is created pending in an active experiment', () => {
    spec.given([]).when(create()).then([created]);
    spec
      .given([])
      .when(create())
      .thenState((s) => expect(s.status).toBe('LOGGED_MODEL_PENDING'));
    spec
      .given([])
      .when(create({ experimentLifecycle: null }))
      .thenThrows('NOT_FOUND');
    spec
      .given([])
      .when(create({ experimentLifecycle: 'deleted' }))
      .thenThrows('INVALID_ARGUMENT');
  });

  it('refuses names MLflow refuses', () => {
    for (const name of ['', 'a/b', 'a.b', 'a:b', 'a%b', "a'b"]) spec.given([]).when(create({ name })).thenThrows('INVALID_ARGUMENT', 'Invalid model name');
  });

  it('is finalized once per status', () => {
    spec
      .given([created])
      .when({ type: 'FinalizeLoggedModel', data: { status: 'LOGGED_MODEL_READY', at: at + 1 } })
      .then([ready]);
    spec
      .given([created, ready])
      .when({ type: 'FinalizeLoggedModel', data: { status: 'LOGGED_MODEL_READY', at: at + 2 } })
      .thenNothingHappens();
    spec
      .given([created, ready])
      .when({ type: 'FinalizeLoggedModel', data: { status: 'LOGGED_MODEL_UPLOAD_FAILED', at: at + 2 } })
      .thenState((s) => expect(s.status).toBe('LOGGED_MODEL_UPLOAD_FAILED'));
  });

  it('logs params once per key and sets and deletes tags', () => {
    spec
      .given([created])
      .when({
        type: 'LogLoggedModelParams',
        data: {
          params: [
            { key: 'C', value: '1.0' },
            { key: 'k', value: 'v' },
          ],
          at,
        },
      })
      .then([{ type: 'LoggedModelParamsLogged', data: { loggedModelId: id, params: { k: 'v' }, at } }]);
    spec
      .given([created])
      .when({ type: 'LogLoggedModelParams', data: { params: [{ key: 'C', value: '2.0' }], at } })
      .thenThrows('INVALID_ARGUMENT', 'Changing param values is not allowed');
    spec
      .given([created])
      .when({ type: 'SetLoggedModelTags', data: { tags: [{ key: 'mlflow.modelVersions', value: '[]' }], at } })
      .then([{ type: 'LoggedModelTagsSet', data: { loggedModelId: id, tags: { 'mlflow.modelVersions': '[]' }, at } }]);
    spec
      .given([created])
      .when({ type: 'DeleteLoggedModelTag', data: { key: 'nope', at } })
      .thenThrows('NOT_FOUND', 'No tag with key nope');
  });

  it('is gone once deleted', () => {
    const deleted: LoggedModelEvent = { type: 'LoggedModelDeleted', data: { loggedModelId: id, at } };
    spec.given([created]).when({ type: 'DeleteLoggedModel', data: { at } }).then([deleted]);
    spec.given([created, deleted]).when({ type: 'DeleteLoggedModel', data: { at } }).thenThrows('NOT_FOUND');
    spec
      .given([created, deleted])
      .when({ type: 'SetLoggedModelTags', data: { tags: [], at } })
      .thenThrows('NOT_FOUND');
  });
});
