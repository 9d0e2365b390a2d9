import { Replicas } from './replicas';

describe("a service's replicas behind the gateway", () => {
  const urls = ['http://10.0.0.1:8081', 'http://10.0.0.2:8081', 'http://10.0.0.3:8081'];
  const origins = (order: readonly URL[]) => order.map((url) => url.host);

  it('parses one URL per replica, comma-separated, spaces and empty parts ignored', () => {
    expect(origins(Replicas.parse('MREG_AUDIT_URL', ` ${urls[0]}, ,${urls[1]}`).urls)).toEqual(['10.0.0.1:8081', '10.0.0.2:8081']);
  });

  it.each([
    ['', 'MREG_AUDIT_URL: no URL'],
    ['not a url', "MREG_AUDIT_URL: 'not a url' is not a URL"],
    ['ftp://10.0.0.1', "MREG_AUDIT_URL: 'ftp://10.0.0.1' is not an http(s) URL"],
  ])('refuses %j naming the variable', (value, message) => {
    expect(() => Replicas.parse('MREG_AUDIT_URL', value)).toThrow(message);
  });

  it('takes the replicas in turn, each request offered every replica once', () => {
    const replicas = Replicas.parse('MREG_AUDIT_URL', urls.join(','));

    expect([0, 1, 2, 3].map(() => origins(replicas.order()))).toEqual([
      ['10.0.0.1:8081', '10.0.0.2:8081', '10.0.0.3:8081'],
      ['10.0.0.2:8081', '10.0.0.3:8081', '10.0.0.1:8081'],
      ['10.0.0.3:8081', '10.0.0.1:8081', '10.0.0.2:8081'],
      ['10.0.0.1:8081', '10.0.0.2:8081', '10.0.0.3:8081'],
    ]);
  });

  it('offers a replica that refused a connection last for a while, then in its turn again', () => {
    let now = 1_000;
    const replicas = new Replicas(
      urls.map((u) => new URL(u)),
      2000,
      () => now,
    );
    const [first] = replicas.order();
    replicas.passOver(first);

    expect(origins(replicas.order())).toEqual(['10.0.0.2:8081', '10.0.0.3:8081', '10.0.0.1:8081']);
    expect(origins(replicas.order())).toEqual(['10.0.0.3:8081', '10.0.0.2:8081', '10.0.0.1:8081']);
    now += 2000;
    expect(origins(replicas.order())).toEqual(['10.0.0.1:8081', '10.0.0.2:8081', '10.0.0.3:8081']);
  });
});
