import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { rawRequest } from '../raw-http';
import { API, createModel, createVersion, expectError, expectStatus, getModel, historyOf, modelPath, versionPath } from '../fixtures';
import type { VersionBody } from '../fixtures';

// Every value the registry stores follows one strict grammar, whichever door it comes through; a refused value
// is a 400 and leaves no event, no document and no version behind.

scenario('stored values: strict grammars, nothing bad is stored', (client, target) => {
  const alice = () => client().as('alice');

  /** A model with one version and a check that nothing about it changed (events, model, version list). */
  const guardedModel = async () => {
    const name = uniqueName('values');
    await createModel(alice(), name);
    await createVersion(alice(), name, { description: 'v1' });
    const model = await getModel(alice(), name);
    const events = (await historyOf(alice(), name)).map((e) => e.eventId);
    const unchanged = async () => {
      expect(await getModel(alice(), name)).toEqual(model);
      expect((await historyOf(alice(), name)).map((e) => e.eventId)).toEqual(events);
      expectStatus(await alice().get(versionPath(name, 2)), 404);
    };
    return { name, unchanged };
  };

  const postJsonText = (path: string, text: string | Buffer) => rawRequest(target(), 'POST', path, { user: 'alice', body: text, headers: { 'content-type': 'application/json' } });

  describe('source and lineage URIs', () => {
    it.each([
      ['file:///etc/passwd'],
      ['gopher://h/x'],
      ['javascript:alert(1)'],
      ['data:text/html,x'],
      ['jar:file:///x.jar!/a'],
      ['dbfs:/mnt/x'],
      ['ftp://u:p@h/x'],
      ['https://user:secret@git.example.com/x.git'],
      ['s3://bucket/a/../../etc'],
      ['s3://bucket/a/%252e%252e/b'],
      ['http://169.254.169.254/latest/meta-data/'],
      ['s3://bucket/evil\u202etxt'],
    ])('refuses %j as a source, a dataset and a code repository', async (uri) => {
      const { name, unchanged } = await guardedModel();
      expectError(await alice().post(`${modelPath(name)}/versions`, { source: uri }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${modelPath(name)}/versions`, { lineage: { datasets: [{ name: 'd', uri }] } }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${modelPath(name)}/versions`, { lineage: { codeRepository: uri } }), 400, 'INVALID_ARGUMENT');
      await unchanged();
    });

    it('stores an allowed URI exactly as given and returns it in provenance', async () => {
      const name = uniqueName('values');
      await createModel(alice(), name);
      const source = 's3://mlruns/42/artifacts/Model%20A';
      const version = await createVersion(alice(), name, { source, lineage: { codeRepository: 'https://git.example.com/risk/fraud.git', datasets: [{ name: 'd', uri: 'gs://data/x.parquet' }] } });
      expect(version.source).toBe(source);
      const provenance = await alice().get<{ version: VersionBody }>(`${versionPath(name, version.version)}/provenance`);
      expectStatus(provenance, 200);
      expect(JSON.stringify(provenance.body)).toContain(source);
    });
  });

  describe('text', () => {
    it('refuses a lone surrogate in a description or a comment', async () => {
      const { name, unchanged } = await guardedModel();
      // JSON text with an escaped lone surrogate: valid JSON, not valid Unicode.
      const lone = '{"description":"broken \\ud800 text"}';
      expectError(await rawRequest(target(), 'PATCH', modelPath(name), { user: 'alice', body: lone, headers: { 'content-type': 'application/json' } }), 400, 'INVALID_ARGUMENT');
      expectError(await postJsonText(`${modelPath(name)}/versions`, lone), 400, 'INVALID_ARGUMENT');
      await unchanged();
    });

    it('refuses a body that is not valid UTF-8 instead of replacing the bytes', async () => {
      const { name, unchanged } = await guardedModel();
      const bytes = Buffer.concat([Buffer.from('{"description":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const reply = await postJsonText(`${modelPath(name)}/versions`, bytes);
      expectError(reply, 400, 'INVALID_ARGUMENT');
      expect(JSON.stringify(reply.body)).toContain('UTF-8');
      await unchanged();
    });

    it('refuses a body with a key given twice in one object', async () => {
      const { name, unchanged } = await guardedModel();
      const reply = await postJsonText(`${modelPath(name)}/versions`, '{"description":"a","description":"b"}');
      expectError(reply, 400, 'INVALID_ARGUMENT');
      expect(JSON.stringify(reply.body)).toContain('twice');
      expectError(await postJsonText(`${modelPath(name)}/versions`, '{"tags":{"k":"1","k":"2"}}'), 400, 'INVALID_ARGUMENT');
      await unchanged();
    });
  });

  describe('bodies', () => {
    it('refuses a create with no body at all (an empty object is the way to send nothing)', async () => {
      const { name, unchanged } = await guardedModel();
      for (const method of ['POST'] as const) {
        const bare = await rawRequest(target(), method, `${modelPath(name)}/versions`, { user: 'alice' });
        expectError(bare, 400, 'INVALID_ARGUMENT');
        expect(JSON.stringify(bare.body)).toContain('request body required');
      }
      expectError(await rawRequest(target(), 'PATCH', modelPath(name), { user: 'alice' }), 400, 'INVALID_ARGUMENT');
      await unchanged();
      expectStatus(await postJsonText(`${modelPath(name)}/versions`, '{}'), 201);
    });
  });

  describe('names and keys', () => {
    it('refuses a model name with a trailing dot, so `victim.` cannot stand beside `victim`', async () => {
      const name = uniqueName('victim');
      await createModel(alice(), name);
      expectError(await alice().post(`${API}/models`, { name: `${name}.` }), 400, 'INVALID_ARGUMENT');
      expectStatus(await alice().get(modelPath(`${name}.`)), 400);
    });

    it.each([['..%2Fx'], ['%2Fabs'], ['__proto__'], ['constructor']])('refuses the tag key %j through the path as through the body', async (key) => {
      const { name, unchanged } = await guardedModel();
      const put = await rawRequest(target(), 'PUT', `${modelPath(name)}/tags/${key}`, { user: 'alice', body: '{"value":"x"}', headers: { 'content-type': 'application/json' } });
      expectError(put, 400, 'INVALID_ARGUMENT');
      const putVersionTag = await rawRequest(target(), 'PUT', `${versionPath(name, 1)}/tags/${key}`, { user: 'alice', body: '{"value":"x"}', headers: { 'content-type': 'application/json' } });
      expectError(putVersionTag, 400, 'INVALID_ARGUMENT');
      await unchanged();
    });
  });
});
