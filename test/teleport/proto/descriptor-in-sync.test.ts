import { descriptorFromProtoFile, PROTO_FILE } from '../../../src/teleport/proto/descriptor-source';
import { TELEPORT_AUTH_DESCRIPTOR } from '../../../src/teleport/proto/teleport-auth.descriptor';
import { AUTH_METHODS, CertUsage, Requester } from '../../../src/teleport/proto/messages';

describe('embedded Auth Service descriptor', () => {
  it('matches teleport-auth.proto (regenerate with: npx tsx scripts/generate-proto-descriptor.ts)', () => {
    expect(TELEPORT_AUTH_DESCRIPTOR).toEqual(JSON.parse(JSON.stringify(descriptorFromProtoFile(PROTO_FILE))));
  });

  it("encodes UserCertsRequest with Teleport's field numbers", () => {
    const bytes = Buffer.from(
      AUTH_METHODS.GenerateUserCerts.request.encode({
        Username: 'u',
        Expires: { seconds: 1, nanos: 0 },
        RouteToCluster: 'c',
        Usage: CertUsage.App,
        RouteToApp: { Name: 'a', PublicAddr: 'p', ClusterName: 'c', URI: 'mcp+http://x' },
        RequesterName: Requester.TSH_APP_LOCAL_PROXY,
        TLSPublicKey: Buffer.from('k'),
      }),
    );
    // Tags are (field << 3 | wire type): Username=2 (0x12), Expires=3 (0x1a), RouteToCluster=5 (0x2a), Usage=10
    // (0x50), RouteToApp=11 (0x5a), RequesterName=17 (0x88 0x01), TLSPublicKey=23 (0xba 0x01).
    expect(bytes.toString('hex')).toBe(
      '1201751a040801100' + '02a016350045a' + '170a01611a017022016342' + '0c6d63702b687474703a2f2f78' + '880104ba01016b',
    );
  });

  it('decodes an AppServer page with the app spec fields mcp-bridge reads', () => {
    const codec = AUTH_METHODS.ListResources.response;
    const page = {
      Resources: [
        {
          AppServer: {
            Kind: 'app_server',
            SubKind: '',
            Version: 'v3',
            Metadata: { Name: 'everything', Namespace: 'default', Description: 'demo', Labels: { env: 'dev' } },
            Spec: {
              Version: '',
              Hostname: 'h',
              HostID: 'id',
              ProxyIDs: [],
              App: { Kind: 'app', SubKind: 'mcp', Version: 'v3', Metadata: { Name: 'everything', Namespace: 'default', Description: 'demo', Labels: { env: 'dev' } }, Spec: { URI: 'mcp+http://127.0.0.1:1/mcp', PublicAddr: 'everything.example', InsecureSkipVerify: false } },
            },
          },
        },
      ],
      NextKey: '',
      TotalCount: 1,
    };
    const decoded = codec.decode(codec.encode(page as never));
    expect(decoded.Resources[0]!.AppServer!.Spec!.App!.Spec!.URI).toBe('mcp+http://127.0.0.1:1/mcp');
    expect(decoded.Resources[0]!.AppServer!.Spec!.App!.Metadata!.Labels).toEqual({ env: 'dev' });
  });
});
