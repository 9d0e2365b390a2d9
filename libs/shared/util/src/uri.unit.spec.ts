import { DEFAULT_URI_SCHEMES, parseUriSchemes, validateUri } from './uri';

describe('validateUri', () => {
  it.each([
    's3://mlruns/42/artifacts/model',
    'gs://bucket/path/to/data.parquet',
    'https://git.example.com/risk/fraud.git',
    'http://minio.internal:9000/bucket/key',
    'hdfs://namenode:8020/data/x',
    'abfss://container@account.dfs.core.windows.net/path',
    'runs:/8c1f/model',
    'models:/m-0123456789abcdef',
    'mlflow-artifacts:/1/abc/artifacts/model',
    'git+ssh://git.example.com/risk/fraud.git',
    's3://bucket/dir/..file',
    's3://bucket/100%25',
  ])('accepts %s', (uri) => {
    expect(validateUri(uri)).toBeUndefined();
  });

  it.each([
    ['file:///etc/passwd', /scheme "file:" is not allowed/],
    ['gopher://h/x', /scheme "gopher:"/],
    ['javascript:alert(1)', /scheme "javascript:"/],
    ['data:text/html,<script>alert(1)</script>', /scheme "data:"/],
    ['jar:file:///x.jar!/a', /scheme "jar:"/],
    ['dbfs:/x', /scheme "dbfs:"/],
    ['ftp://u:p@h/x', /scheme "ftp:"/],
    ['https://user:secret@h/x', /credentials/],
    ['https://token@h/x', /credentials/],
    ['s3://bucket/a/../../etc', /path steps/],
    ['s3://bucket/a/%2e%2e/b', /path steps/],
    ['s3://bucket/a/%252e%252e/b', /path steps/],
    ['s3://bucket/a/%25252e%25252e%25252fb', /path steps/],
    ['https://h/./x', /path steps/],
    ['s3://bucket/a%2', /malformed/],
    ['s3://bucket/a%0ab', /encode control/],
    ['s3://bucket/a%E2%80%AEb', /encode control/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata/],
    ['http://[fd00:ec2::254]/', /metadata/],
    ['s3://bucket/evil\u202etxt', /bidirectional/],
    ['s3://bucket/a b', /whitespace/],
    ['s3://bucket/a\u0000b', /whitespace or control/],
    ['s3://bucket/\ud800', /Unicode/],
    ['s3:\\\\bucket\\x', /backslash/],
    ['relative/path', /absolute URI/],
    ['/abs/path', /absolute URI/],
    ['', /1\.\.2048/],
    [`s3://b/${'x'.repeat(2048)}`, /1\.\.2048/],
  ])('refuses %j', (uri, reason) => {
    expect(validateUri(uri)).toMatch(reason);
  });

  it('allows exactly the configured schemes', () => {
    expect(validateUri('file:///data/x', { schemes: ['file'] })).toBeUndefined();
    expect(validateUri('s3://b/k', { schemes: ['file'] })).toMatch(/not allowed/);
    expect(validateUri('S3://b/k')).toBeUndefined();
  });
});

describe('parseUriSchemes', () => {
  it('reads a comma-separated list, lower-cased, with or without colons', () => {
    expect(parseUriSchemes('s3, GS:,dbfs')).toEqual(['s3', 'gs', 'dbfs']);
  });

  it('refuses malformed entries and empty lists', () => {
    expect(parseUriSchemes('s3,no spaces')).toMatch(/not a URI scheme/);
    expect(parseUriSchemes(' , ')).toMatch(/at least one/);
  });

  it('leaves file: out of the default list', () => {
    expect(DEFAULT_URI_SCHEMES).not.toContain('file');
  });
});
