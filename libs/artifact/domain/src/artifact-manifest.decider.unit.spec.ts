import { fold } from '@mreg/shared/contracts';
import type { ArtifactEvent, Stage } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { artifactManifestDecider, findArtifact, listArtifacts, type ArtifactManifestCommand } from './artifact-manifest.decider';

const spec = deciderSpec(artifactManifestDecider);
const modelId = 'm1';
const version = 3;
const sha = (c: string) => c.repeat(64);
const add = (path: string, sha256 = sha('a'), versionStage: Stage | null = 'development', size = 10): ArtifactManifestCommand => ({
  type: 'AddArtifact',
  data: { modelId, version, path, size, sha256, contentType: 'application/octet-stream', versionStage },
});
const added = (path: string, sha256 = sha('a'), size = 10): ArtifactEvent => ({
  type: 'ArtifactAdded',
  data: { modelId, version, path, size, sha256, contentType: 'application/octet-stream' },
});

describe('artifact manifest', () => {
  it('adds an artifact to a version in development', () => {
    spec
      .given([])
      .when(add('model.onnx'))
      .then([added('model.onnx')]);
    spec
      .given([added('model.onnx')])
      .when(add('weights/part-0.bin', sha('b')))
      .then([added('weights/part-0.bin', sha('b'))]);
  });

  it('refuses a version that does not exist', () => {
    spec
      .given([])
      .when(add('model.onnx', sha('a'), null))
      .thenThrows('NOT_FOUND', 'version 3 not found');
  });

  it.each(['staging', 'production', 'archived'] as const)('refuses a version in %s: artifacts are sealed', (stage) => {
    spec
      .given([])
      .when(add('model.onnx', sha('a'), stage))
      .thenThrows('CONFLICT', `artifacts are sealed: version is in ${stage}`);
  });

  it('is idempotent for the same path and content, even once sealed', () => {
    spec
      .given([added('model.onnx')])
      .when(add('model.onnx'))
      .thenNothingHappens();
    spec
      .given([added('model.onnx')])
      .when(add('model.onnx', sha('a'), 'production'))
      .thenNothingHappens();
  });

  it('refuses different content at an existing path', () => {
    spec
      .given([added('model.onnx')])
      .when(add('model.onnx', sha('b')))
      .thenThrows('ALREADY_EXISTS', 'artifact path exists');
  });

  it('refuses a path that would be both a file and a directory', () => {
    spec
      .given([added('a')])
      .when(add('a/b', sha('b')))
      .thenThrows('CONFLICT', 'both a file and a directory');
    spec
      .given([added('a/b')])
      .when(add('a', sha('b')))
      .thenThrows('CONFLICT');
    spec
      .given([added('a/b/c')])
      .when(add('a/b', sha('b')))
      .thenThrows('CONFLICT');
    spec
      .given([added('a')])
      .when(add('a/b/c', sha('b')))
      .thenThrows('CONFLICT');
  });

  it('does not confuse a shared name prefix with a directory', () => {
    spec
      .given([added('a')])
      .when(add('ab', sha('b')))
      .then([added('ab', sha('b'))]);
    spec
      .given([added('a/b')])
      .when(add('a/bc', sha('b')))
      .then([added('a/bc', sha('b'))]);
    spec
      .given([added('a/b')])
      .when(add('a.b', sha('b')))
      .then([added('a.b', sha('b'))]);
  });

  it('refuses a size or digest that cannot be right', () => {
    spec
      .given([])
      .when(add('model.onnx', sha('a'), 'development', -1))
      .thenThrows('INVALID_ARGUMENT');
    spec
      .given([])
      .when(add('model.onnx', sha('a'), 'development', 1.5))
      .thenThrows('INVALID_ARGUMENT');
    spec
      .given([])
      .when(add('model.onnx', 'A'.repeat(64)))
      .thenThrows('INVALID_ARGUMENT', 'sha256');
    spec.given([]).when(add('model.onnx', 'abc')).thenThrows('INVALID_ARGUMENT');
  });

  it('accepts an empty file', () => {
    spec
      .given([])
      .when(add('empty.txt', sha('e'), 'development', 0))
      .then([added('empty.txt', sha('e'), 0)]);
  });

  it('folds entries and the total size', () => {
    const state = fold(artifactManifestDecider, [added('weights/b.bin', sha('b'), 30), added('model.onnx', sha('a'), 12), added('weights/a.bin', sha('c'), 0)]);
    expect(state.totalSize).toBe(42);
    expect(state.entries.size).toBe(3);
    expect(findArtifact(state, 'model.onnx')).toEqual({ path: 'model.onnx', size: 12, sha256: sha('a'), contentType: 'application/octet-stream' });
    expect(findArtifact(state, 'weights')).toBeUndefined();
    expect(listArtifacts(state).map((e) => e.path)).toEqual(['model.onnx', 'weights/a.bin', 'weights/b.bin']);
  });

  it('does not change the state it evolves from', () => {
    const before = fold(artifactManifestDecider, [added('model.onnx')]);
    artifactManifestDecider.evolve(before, added('other.bin', sha('b')));
    expect(before.entries.size).toBe(1);
    expect(artifactManifestDecider.initialState.entries.size).toBe(0);
  });
});

describe('artifact manifest: import from the artifact tree', () => {
  const entry = (path: string, c = 'a', size = 10) => ({ path, size, sha256: sha(c), contentType: 'application/octet-stream' });
  const importCmd = (entries = [entry('MLmodel'), entry('model.pkl', 'b', 30)]): ArtifactManifestCommand => ({ type: 'ImportArtifacts', data: { modelId, version, source: '1/r/artifacts/model', entries } });
  const imported = (entries = [entry('MLmodel'), entry('model.pkl', 'b', 30)]): ArtifactEvent => ({ type: 'ArtifactsImported', data: { modelId, version, source: '1/r/artifacts/model', entries } });

  it('imports the files once; a redelivery changes nothing', () => {
    spec.given([]).when(importCmd()).then([imported()]);
    spec.given([imported()]).when(importCmd()).thenNothingHappens();
    spec
      .given([imported([])])
      .when(importCmd())
      .thenNothingHappens();
  });

  it('imports an empty tree (nothing was uploaded there)', () => {
    spec
      .given([])
      .when(importCmd([]))
      .then([imported([])]);
  });

  it('refuses entries that cannot be right', () => {
    spec
      .given([])
      .when(importCmd([entry('a'), entry('a', 'b')]))
      .thenThrows('INVALID_ARGUMENT', 'twice');
    spec
      .given([])
      .when(importCmd([{ ...entry('a'), sha256: 'x' }]))
      .thenThrows('INVALID_ARGUMENT', 'sha256');
  });

  it('folds imported files into the manifest: list, find and totals see them', () => {
    const state = fold(artifactManifestDecider, [imported()]);
    expect(listArtifacts(state).map((e) => e.path)).toEqual(['MLmodel', 'model.pkl']);
    expect(findArtifact(state, 'model.pkl')?.size).toBe(30);
    expect(state.totalSize).toBe(40);
    expect(state.importedFrom).toBe('1/r/artifacts/model');
  });

  it('works whatever the stage: a sealed version still receives its initial files', () => {
    // The decider does not look at the stage for an import; uploads stay sealed afterwards.
    spec
      .given([imported()])
      .when(add('extra.bin', sha('c'), 'production'))
      .thenThrows('CONFLICT', 'sealed');
  });
});
