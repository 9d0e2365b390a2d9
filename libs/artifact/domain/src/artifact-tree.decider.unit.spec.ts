import type { ArtifactTreeEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { artifactTreeDecider, artifactTreeRoot, listTreeDirectory, treeFilesUnder, type ArtifactTreeCommand } from './artifact-tree.decider';

const spec = deciderSpec(artifactTreeDecider);
const root = '1/r1/artifacts';
const sha = (c: string) => c.repeat(64);
const record = (path: string, sha256 = sha('a'), size = 10): ArtifactTreeCommand => ({ type: 'RecordTreeFile', data: { root, path, size, sha256, contentType: 'application/octet-stream' } });
const recorded = (path: string, sha256 = sha('a'), size = 10): ArtifactTreeEvent => ({ type: 'ArtifactTreeFileRecorded', data: { root, path, size, sha256, contentType: 'application/octet-stream' } });

describe('artifact tree', () => {
  // path → its tree root: the path up to its first "artifacts" segment, else its first segment.
  const roots = { '1/r1/artifacts/model/MLmodel': '1/r1/artifacts', '1/models/m-1/artifacts/MLmodel': '1/models/m-1/artifacts', '1/r1/artifacts': '1/r1/artifacts', 'misc/file.txt': 'misc' };
  it.each(Object.entries(roots))('roots %s at %s', (path, treeRoot) => {
    expect(artifactTreeRoot(path)).toBe(treeRoot);
  });

  it('records a file; the same content again changes nothing; new content overwrites (MLflow semantics)', () => {
    spec
      .given([])
      .when(record(`${root}/model/MLmodel`))
      .then([recorded(`${root}/model/MLmodel`)]);
    spec
      .given([recorded(`${root}/model/MLmodel`)])
      .when(record(`${root}/model/MLmodel`))
      .thenNothingHappens();
    spec
      .given([recorded(`${root}/model/MLmodel`)])
      .when(record(`${root}/model/MLmodel`, sha('b'), 3))
      .thenState((s) => expect(s.entries.get(`${root}/model/MLmodel`)?.sha256).toBe(sha('b')));
  });

  it('refuses a path outside its root, a bad digest and a file/directory clash', () => {
    spec
      .given([])
      .when({ type: 'RecordTreeFile', data: { root, path: '2/r2/artifacts/x', size: 1, sha256: sha('a'), contentType: 'text/plain' } })
      .thenThrows('INVALID_ARGUMENT', 'does not belong');
    spec
      .given([])
      .when(record(`${root}/x`, 'nothex'))
      .thenThrows('INVALID_ARGUMENT', 'sha256');
    spec
      .given([recorded(`${root}/model`)])
      .when(record(`${root}/model/MLmodel`))
      .thenThrows('CONFLICT');
    spec
      .given([recorded(`${root}/model/MLmodel`)])
      .when(record(`${root}/model`))
      .thenThrows('CONFLICT');
  });

  it('removes a file or a whole directory', () => {
    const given = [recorded(`${root}/model/MLmodel`), recorded(`${root}/model/data/w.bin`), recorded(`${root}/other.txt`)];
    spec
      .given(given)
      .when({ type: 'RemoveTreePath', data: { root, path: `${root}/model` } })
      .then([
        { type: 'ArtifactTreeFileRemoved', data: { root, path: `${root}/model/MLmodel` } },
        { type: 'ArtifactTreeFileRemoved', data: { root, path: `${root}/model/data/w.bin` } },
      ]);
    spec
      .given(given)
      .when({ type: 'RemoveTreePath', data: { root, path: `${root}/nothing` } })
      .thenNothingHappens();
  });

  it('lists a directory as MLflow does: direct children, directories once, by name', () => {
    const state = [recorded(`${root}/model/MLmodel`, sha('a'), 5), recorded(`${root}/model/data/w.bin`), recorded(`${root}/model/data/x.bin`), recorded(`${root}/a.txt`, sha('c'), 2)].reduce(
      artifactTreeDecider.evolve,
      artifactTreeDecider.initialState,
    );
    expect(listTreeDirectory(state, root)).toEqual([
      { name: 'a.txt', isDir: false, size: 2 },
      { name: 'model', isDir: true },
    ]);
    expect(listTreeDirectory(state, `${root}/model`)).toEqual([
      { name: 'MLmodel', isDir: false, size: 5 },
      { name: 'data', isDir: true },
    ]);
    expect(listTreeDirectory(state, `${root}/model/MLmodel`)).toEqual([]);
    expect(treeFilesUnder(state, `${root}/model`).map((e) => e.path)).toEqual([`${root}/model/MLmodel`, `${root}/model/data/w.bin`, `${root}/model/data/x.bin`]);
    // "model" is a directory, "mod" is not its prefix-sibling
    expect(treeFilesUnder(state, `${root}/mod`)).toEqual([]);
  });
});
