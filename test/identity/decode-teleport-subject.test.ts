import { teleportIdentityOf } from '../../src/identity/subject';
import { botSpec, createTestPki, issueTestIdentity, type TestPki } from './tbot-output';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki('p256', 'prod.example.com');
});

describe('the Teleport identity is decoded from the certificate Subject and Issuer', () => {
  test('a bot identity certificate yields user, roles, logins, traits, bot, cluster and the reissue flag', async () => {
    const spec = botSpec({ routeToCluster: 'leaf.example.com', usage: ['usage:apps'], impersonator: 'bot-agent', renewable: true });
    const id = await issueTestIdentity(pki, { spec });
    const got = teleportIdentityOf(id.cert.x509, 'tlscert');
    expect(got).toMatchObject({
      username: 'bot-agent',
      roles: ['bot-agent', 'mcp-user'],
      logins: ['-teleport-internal-join'],
      usage: ['usage:apps'],
      traits: { logins: ['-teleport-internal-join'], mcp_tools: ['*'] },
      routeToCluster: 'leaf.example.com',
      clusterName: 'prod.example.com',
      teleportCluster: 'example.teleport.sh',
      botName: 'agent',
      botInstanceId: '8c3a1d2e-5f4b-4c6d-9e7f-0a1b2c3d4e5f',
      impersonator: 'bot-agent',
      disallowReissue: true,
      renewable: true,
      generation: 3,
    });
    expect(got.app).toBeUndefined();
    expect(got.serialNumber.toLowerCase()).toBe(id.cert.serialNumber.toLowerCase());
    expect(got.notBefore.getTime()).toBe(Math.floor(id.cert.notBefore.getTime() / 1000) * 1000);
    expect(got.notAfter.getTime()).toBe(Math.floor(id.cert.notAfter.getTime() / 1000) * 1000);
  });

  test('an application output certificate carries its app route, target port included', async () => {
    const app = { name: 'everything', publicAddr: 'everything.prod.example.com', clusterName: 'prod.example.com', sessionId: 'c0ffee-session', targetPort: 8443 };
    const id = await issueTestIdentity(pki, { spec: botSpec({ app, disallowReissue: false }) });
    const got = teleportIdentityOf(id.cert.x509, 'tlscert');
    expect(got.app).toEqual(app);
    expect(got.disallowReissue).toBe(false);
  });

  test('an incomplete app route (no session id) is not an app route', async () => {
    const app = { name: 'everything', publicAddr: 'everything.prod.example.com', clusterName: 'prod.example.com', sessionId: '' };
    const id = await issueTestIdentity(pki, { spec: botSpec({ app }) });
    expect(teleportIdentityOf(id.cert.x509, 'tlscert').app).toBeUndefined();
  });

  test('non-ASCII values (UTF8String) and several values in one multi-valued RDN are decoded', async () => {
    const spec = botSpec({ username: 'bøt-ägent', roles: ['rôle-1', 'role-2', 'role-3'], traits: { team: ['équipe'] } });
    const id = await issueTestIdentity(pki, { spec });
    const got = teleportIdentityOf(id.cert.x509, 'tlscert');
    expect(got.username).toBe('bøt-ägent');
    expect(got.roles).toEqual(['rôle-1', 'role-2', 'role-3']);
    expect(got.traits).toEqual({ team: ['équipe'] });
  });

  test('a minimal certificate without Teleport attributes decodes to empty lists and false flags', async () => {
    const id = await issueTestIdentity(pki, { spec: { username: 'alice', roles: [] } });
    const got = teleportIdentityOf(id.cert.x509, 'tlscert');
    expect(got).toMatchObject({ username: 'alice', roles: [], logins: [], usage: [], traits: {}, disallowReissue: false, renewable: false });
    expect(got.botName).toBeUndefined();
    expect(got.generation).toBeUndefined();
  });
});
