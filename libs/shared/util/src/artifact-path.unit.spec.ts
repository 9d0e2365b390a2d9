import { validateArtifactPath } from './artifact-path';

describe('validateArtifactPath', () => {
  it.each(['model.pkl', 'model/MLmodel', 'a/b/c/d.txt', '.hidden/file', 'dir/..file', 'file...', '100% done.txt', 'a%zz', 'ünïcødé/模型.bin', 'with space/and-dash_1', 'x'.repeat(255), `${'a/'.repeat(511)}bc`])('accepts %j', (path) => {
    expect(validateArtifactPath(path)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(1025), /at most 1024/],
    ['/etc/passwd', /relative/],
    ['dir/', /end with/],
    ['a//b', /empty segments/],
    ['.', /"\." or "\.\."/],
    ['..', /"\." or "\.\."/],
    ['../secret', /"\." or "\.\."/],
    ['a/../../secret', /"\." or "\.\."/],
    ['a/./b', /"\." or "\.\."/],
    // Issue 8: one grammar that no second decoder, Java path parameter, drive letter, fragment or bidi trick can bend.
    ['percent%2F..%2Fliteral', /percent-encoded/],
    ['%2e%2e%2fsecret', /percent-encoded/],
    ['a/%252e%252e/b', /percent-encoded/],
    ['..;/x', /";", ":" or "#"/],
    ['a;b', /";", ":" or "#"/],
    ['C:/x', /";", ":" or "#"/],
    ['file.txt::$DATA', /";", ":" or "#"/],
    ['a#b', /";", ":" or "#"/],
    ['evil\u202etxt.exe', /bidirectional/],
    ['a\u2066b', /bidirectional/],
    ['a/..', /"\." or "\.\."/],
    ['a\\..\\b', /backslash/],
    ['C:\\x', /backslash/],
    ['a\u0000b', /control characters/],
    ['a\nb', /control characters/],
    ['a\u007f', /control characters/],
    ['a\ud800', /valid Unicode/],
    ['x'.repeat(256), /at most 255 bytes/],
    ['é'.repeat(128), /at most 255 bytes/],
  ])('rejects %j', (path, reason) => {
    expect(validateArtifactPath(path)).toMatch(reason);
  });
});
