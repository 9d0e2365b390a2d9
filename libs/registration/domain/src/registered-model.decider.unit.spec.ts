import { OPEN_MODEL_ACCESS, fold } from '@mreg/shared/contracts';
import type { ModelEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { registeredModelDecider, type RegisteredModelCommand } from './registered-model.decider';

const spec = deciderSpec(registeredModelDecider);
const modelId = 'm1';
const registered: ModelEvent = { type: 'ModelRegistered', data: { modelId, name: 'fraud', description: 'scores payments', tags: { team: 'risk' } } };
const allocated = (version: number): ModelEvent => ({ type: 'ModelVersionNumberAllocated', data: { modelId, version } });
const aliased = (alias: string, version: number, previousVersion?: number): ModelEvent => ({
  type: 'AliasAssigned',
  data: previousVersion === undefined ? { modelId, alias, version } : { modelId, alias, version, previousVersion },
});
const deleted: ModelEvent = { type: 'ModelDeleted', data: { modelId, name: 'fraud' } };
const restored = (name: string): ModelEvent => ({ type: 'ModelRestored', data: { modelId, name } });

describe('registered model', () => {
  describe('RegisterModel', () => {
    const register: RegisteredModelCommand = { type: 'RegisterModel', data: { modelId, name: 'fraud', description: 'scores payments', tags: { team: 'risk' }, access: OPEN_MODEL_ACCESS } };

    it('registers a new model', () => {
      spec.given([]).when(register).then([registered]);
    });

    it('records the owner and visibility it starts with in the same append', () => {
      const access = { visibility: 'private', grants: { 'user:alice': 'manage', 'group:risk': 'read' } } as const;
      spec
        .given([])
        .when({ ...register, data: { ...register.data, access } })
        .then([
          registered,
          { type: 'ModelVisibilityChanged', data: { modelId, visibility: 'private' } },
          { type: 'ModelAccessGranted', data: { modelId, subject: 'user:alice', permission: 'manage' } },
          { type: 'ModelAccessGranted', data: { modelId, subject: 'group:risk', permission: 'read' } },
        ]);
    });

    it('refuses to register twice', () => {
      spec.given([registered]).when(register).thenThrows('ALREADY_EXISTS');
    });

    it('refuses to register again after deletion', () => {
      spec.given([registered, deleted]).when(register).thenThrows('ALREADY_EXISTS');
    });
  });

  describe('on a missing or deleted model', () => {
    const commands: RegisteredModelCommand[] = [
      { type: 'ChangeModelDescription', data: { description: 'x' } },
      { type: 'RenameModel', data: { newName: 'fraud-v2' } },
      { type: 'SetModelTag', data: { key: 'team', value: 'risk' } },
      { type: 'RemoveModelTag', data: { key: 'team' } },
      { type: 'AllocateVersionNumber', data: {} },
      { type: 'AssignAlias', data: { alias: 'champion', version: 1, versionExists: true } },
      { type: 'RemoveAlias', data: { alias: 'champion' } },
      { type: 'DeleteModel', data: { productionVersions: [] } },
    ];

    it.each(commands.map((c) => [c.type, c] as const))('%s is NOT_FOUND on a missing model', (_type, command) => {
      spec.given([]).when(command).thenThrows('NOT_FOUND', 'model not found');
    });

    it.each(commands.map((c) => [c.type, c] as const))('%s is NOT_FOUND on a deleted model', (_type, command) => {
      spec
        .given([registered, allocated(1), aliased('champion', 1), deleted])
        .when(command)
        .thenThrows('NOT_FOUND', 'model fraud not found');
    });
  });

  describe('ChangeModelDescription', () => {
    it('changes the description', () => {
      spec
        .given([registered])
        .when({ type: 'ChangeModelDescription', data: { description: 'scores card payments' } })
        .then([{ type: 'ModelDescriptionChanged', data: { modelId, description: 'scores card payments' } }]);
    });

    it('does nothing for the same description', () => {
      spec
        .given([registered])
        .when({ type: 'ChangeModelDescription', data: { description: 'scores payments' } })
        .thenNothingHappens();
    });
  });

  describe('RenameModel', () => {
    it('renames', () => {
      spec
        .given([registered])
        .when({ type: 'RenameModel', data: { newName: 'fraud-v2' } })
        .then([{ type: 'ModelRenamed', data: { modelId, from: 'fraud', to: 'fraud-v2' } }]);
    });

    it('does nothing for the same name', () => {
      spec
        .given([registered])
        .when({ type: 'RenameModel', data: { newName: 'fraud' } })
        .thenNothingHappens();
    });

    it('renames from the latest name', () => {
      spec
        .given([registered, { type: 'ModelRenamed', data: { modelId, from: 'fraud', to: 'fraud-v2' } }])
        .when({ type: 'RenameModel', data: { newName: 'fraud-v3' } })
        .then([{ type: 'ModelRenamed', data: { modelId, from: 'fraud-v2', to: 'fraud-v3' } }]);
    });
  });

  describe('access', () => {
    const granted = (subject: string, permission: 'read' | 'write' | 'manage'): ModelEvent => ({ type: 'ModelAccessGranted', data: { modelId, subject, permission } });

    it("grants, replaces and revokes a subject's permission", () => {
      spec
        .given([registered])
        .when({ type: 'GrantModelAccess', data: { subject: 'group:risk', permission: 'write' } })
        .then([granted('group:risk', 'write')]);
      spec
        .given([registered, granted('group:risk', 'write')])
        .when({ type: 'GrantModelAccess', data: { subject: 'group:risk', permission: 'read' } })
        .then([granted('group:risk', 'read')]);
      spec
        .given([registered, granted('group:risk', 'write')])
        .when({ type: 'RevokeModelAccess', data: { subject: 'group:risk' } })
        .then([{ type: 'ModelAccessRevoked', data: { modelId, subject: 'group:risk' } }]);
      expect(fold(registeredModelDecider, [registered, granted('group:risk', 'write'), granted('user:bo', 'manage')]).access).toEqual({ visibility: 'registry', grants: { 'group:risk': 'write', 'user:bo': 'manage' } });
    });

    it('does nothing for a grant already held or a visibility already set', () => {
      spec
        .given([registered, granted('user:bo', 'read')])
        .when({ type: 'GrantModelAccess', data: { subject: 'user:bo', permission: 'read' } })
        .thenNothingHappens();
      spec
        .given([registered])
        .when({ type: 'ChangeModelVisibility', data: { visibility: 'registry' } })
        .thenNothingHappens();
    });

    it('refuses a subject that is not user:<name> or group:<name>, and revoking a grant nobody holds', () => {
      for (const subject of ['bob', 'team:risk', 'user:', 'user:a b', 'group:x\u0007', `user:${'a'.repeat(201)}`]) {
        spec
          .given([registered])
          .when({ type: 'GrantModelAccess', data: { subject, permission: 'read' } })
          .thenThrows('INVALID_ARGUMENT');
      }
      spec
        .given([registered])
        .when({ type: 'RevokeModelAccess', data: { subject: 'user:bo' } })
        .thenThrows('NOT_FOUND');
    });

    it('changes the visibility', () => {
      spec
        .given([registered])
        .when({ type: 'ChangeModelVisibility', data: { visibility: 'private' } })
        .then([{ type: 'ModelVisibilityChanged', data: { modelId, visibility: 'private' } }]);
    });
  });

  describe('tags', () => {
    it('sets a new tag and changes an existing one', () => {
      spec
        .given([registered])
        .when({ type: 'SetModelTag', data: { key: 'tier', value: 'gold' } })
        .then([{ type: 'ModelTagSet', data: { modelId, key: 'tier', value: 'gold' } }]);
      spec
        .given([registered])
        .when({ type: 'SetModelTag', data: { key: 'team', value: 'fraud' } })
        .then([{ type: 'ModelTagSet', data: { modelId, key: 'team', value: 'fraud' } }]);
    });

    it('does nothing when the tag already has that value', () => {
      spec
        .given([registered])
        .when({ type: 'SetModelTag', data: { key: 'team', value: 'risk' } })
        .thenNothingHappens();
    });

    it('treats keys that name Object.prototype members as ordinary keys', () => {
      spec
        .given([registered])
        .when({ type: 'RemoveModelTag', data: { key: 'constructor' } })
        .thenThrows('NOT_FOUND');
      spec
        .given([registered])
        .when({ type: 'SetModelTag', data: { key: 'toString', value: 'x' } })
        .then([{ type: 'ModelTagSet', data: { modelId, key: 'toString', value: 'x' } }]);
    });

    it('removes a tag', () => {
      spec
        .given([registered])
        .when({ type: 'RemoveModelTag', data: { key: 'team' } })
        .then([{ type: 'ModelTagRemoved', data: { modelId, key: 'team' } }]);
    });

    it('refuses to remove a missing tag', () => {
      spec
        .given([registered])
        .when({ type: 'RemoveModelTag', data: { key: 'tier' } })
        .thenThrows('NOT_FOUND', 'has no tag tier');
      spec
        .given([registered, { type: 'ModelTagRemoved', data: { modelId, key: 'team' } }])
        .when({ type: 'RemoveModelTag', data: { key: 'team' } })
        .thenThrows('NOT_FOUND');
    });
  });

  describe('AllocateVersionNumber', () => {
    it('starts at 1', () => {
      spec
        .given([registered])
        .when({ type: 'AllocateVersionNumber', data: {} })
        .then([allocated(1)]);
    });

    it('hands out the next number', () => {
      spec
        .given([registered, allocated(1), allocated(2)])
        .when({ type: 'AllocateVersionNumber', data: {} })
        .then([allocated(3)]);
    });

    it('never reuses a number, whatever happened to the versions', () => {
      // version deletion happens in the version stream; the counter only ever moves forward
      spec
        .given([registered, allocated(1), allocated(2), aliased('champion', 2)])
        .when({ type: 'AllocateVersionNumber', data: {} })
        .then([allocated(3)]);
    });
  });

  describe('aliases', () => {
    const assign = (alias: string, version: number, versionExists = true): RegisteredModelCommand => ({ type: 'AssignAlias', data: { alias, version, versionExists } });

    it('assigns a new alias', () => {
      spec
        .given([registered, allocated(1)])
        .when(assign('champion', 1))
        .then([aliased('champion', 1)]);
    });

    it('moves an alias, naming the previous version', () => {
      spec
        .given([registered, allocated(1), allocated(2), aliased('champion', 1)])
        .when(assign('champion', 2))
        .then([aliased('champion', 2, 1)]);
    });

    it('does nothing when the alias already points there', () => {
      spec
        .given([registered, allocated(1), aliased('champion', 1)])
        .when(assign('champion', 1))
        .thenNothingHappens();
    });

    it('refuses a version the caller did not find', () => {
      spec
        .given([registered, allocated(1)])
        .when(assign('champion', 1, false))
        .thenThrows('NOT_FOUND', 'has no version 1');
    });

    it('refuses a version number never allocated, whatever the caller says', () => {
      spec
        .given([registered, allocated(1)])
        .when(assign('champion', 2))
        .thenThrows('NOT_FOUND');
      spec
        .given([registered, allocated(1)])
        .when(assign('champion', 0))
        .thenThrows('NOT_FOUND');
    });

    it('removes an alias', () => {
      spec
        .given([registered, allocated(1), aliased('champion', 1)])
        .when({ type: 'RemoveAlias', data: { alias: 'champion' } })
        .then([{ type: 'AliasRemoved', data: { modelId, alias: 'champion', version: 1 } }]);
    });

    it('refuses to remove a missing alias', () => {
      spec
        .given([registered, allocated(1)])
        .when({ type: 'RemoveAlias', data: { alias: 'champion' } })
        .thenThrows('NOT_FOUND', 'has no alias champion');
      spec
        .given([registered, allocated(1), aliased('champion', 1), { type: 'AliasRemoved', data: { modelId, alias: 'champion', version: 1 } }])
        .when({ type: 'RemoveAlias', data: { alias: 'champion' } })
        .thenThrows('NOT_FOUND');
    });
  });

  describe('DeleteModel', () => {
    it('deletes a model without production versions', () => {
      spec
        .given([registered, allocated(1)])
        .when({ type: 'DeleteModel', data: { productionVersions: [] } })
        .then([deleted]);
    });

    it('refuses while versions are in production', () => {
      spec
        .given([registered, allocated(1), allocated(2)])
        .when({ type: 'DeleteModel', data: { productionVersions: [2] } })
        .thenThrows('FAILED_PRECONDITION', 'archive production versions first');
    });
  });

  describe('RestoreModel', () => {
    const restore = (name: string): RegisteredModelCommand => ({ type: 'RestoreModel', data: { name } });

    it('restores a deleted model under its name', () => {
      spec
        .given([registered, allocated(1), deleted])
        .when(restore('fraud'))
        .then([restored('fraud')]);
    });

    it('restores a deleted model under another name (its own was taken meanwhile)', () => {
      spec
        .given([registered, allocated(1), deleted])
        .when(restore('fraud-restored'))
        .then([restored('fraud-restored')]);
    });

    it('refuses a model that never existed', () => {
      spec.given([]).when(restore('fraud')).thenThrows('NOT_FOUND', 'model not found');
    });

    it('refuses a live model, and one restored already', () => {
      spec.given([registered]).when(restore('fraud')).thenThrows('CONFLICT', 'model fraud is not deleted');
      spec
        .given([registered, deleted, restored('fraud-2')])
        .when(restore('fraud-3'))
        .thenThrows('CONFLICT', 'model fraud-2 is not deleted');
    });

    it('brings back the model as it was: numbering, aliases and tags go on, and it can be deleted again', () => {
      const history = [registered, allocated(1), aliased('champion', 1), deleted, restored('fraud-2')];
      expect(fold(registeredModelDecider, history)).toEqual({
        exists: true,
        deleted: false,
        modelId,
        name: 'fraud-2',
        description: 'scores payments',
        tags: { team: 'risk' },
        lastVersion: 1,
        aliases: { champion: 1 },
        access: OPEN_MODEL_ACCESS,
      });
      spec
        .given(history)
        .when({ type: 'AllocateVersionNumber', data: {} })
        .then([allocated(2)]);
      spec
        .given(history)
        .when({ type: 'RemoveAlias', data: { alias: 'champion' } })
        .then([{ type: 'AliasRemoved', data: { modelId, alias: 'champion', version: 1 } }]);
      spec
        .given(history)
        .when({ type: 'DeleteModel', data: { productionVersions: [] } })
        .then([{ type: 'ModelDeleted', data: { modelId, name: 'fraud-2' } }]);
    });
  });

  it('folds the whole history', () => {
    const state = fold(registeredModelDecider, [
      registered,
      { type: 'ModelDescriptionChanged', data: { modelId, description: 'v2' } },
      { type: 'ModelRenamed', data: { modelId, from: 'fraud', to: 'fraud-v2' } },
      { type: 'ModelTagSet', data: { modelId, key: 'tier', value: 'gold' } },
      { type: 'ModelTagRemoved', data: { modelId, key: 'team' } },
      allocated(1),
      allocated(2),
      aliased('champion', 1),
      aliased('challenger', 2),
      aliased('champion', 2, 1),
      { type: 'AliasRemoved', data: { modelId, alias: 'challenger', version: 2 } },
    ]);
    expect(state).toEqual({
      exists: true,
      deleted: false,
      modelId,
      name: 'fraud-v2',
      description: 'v2',
      tags: { tier: 'gold' },
      lastVersion: 2,
      aliases: { champion: 2 },
      access: OPEN_MODEL_ACCESS,
    });
    expect(fold(registeredModelDecider, [registered, deleted])).toMatchObject({ exists: true, deleted: true });
  });
});
