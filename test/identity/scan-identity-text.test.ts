import { BridgeError } from '../../src/errors/catalogue';
import { pemBlocks, scanIdentityText } from '../../src/identity/pem';

const block = (label: string, body = 'QUJD') => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe('identity text is split the way Teleport reads identity files', () => {
  test('PEM blocks, the SSH certificate line and @cert-authority lines are found in any order; other lines are ignored', () => {
    const text = [
      block('RSA PRIVATE KEY'),
      'ssh-rsa-cert-v01@openssh.com AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20= comment',
      '# a comment line',
      block('CERTIFICATE', 'REVG'),
      '@cert-authority example.com,*.example.com ssh-rsa AAAAB3NzaC1yc2E= type=host',
      block('CERTIFICATE', 'R0hJ'),
      '  @cert-authority example.com,*.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 type=host  ',
      block('CERTIFICATE', 'SktM'),
    ].join('\n');
    const entries = scanIdentityText(text, 'identity');
    expect(entries.map((e) => e.kind)).toEqual(['pem', 'ssh-cert', 'pem', 'ssh-ca', 'pem', 'ssh-ca', 'pem']);
    expect(pemBlocks(text, 'identity').map((b) => b.label)).toEqual(['RSA PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE']);
  });

  test('CRLF line endings and indented PEM lines are trimmed into canonical blocks', () => {
    const blocks = pemBlocks('  -----BEGIN CERTIFICATE-----\r\n  QUJD\r\n-----END CERTIFICATE-----  \r\n', 'f');
    expect(blocks).toEqual([{ label: 'CERTIFICATE', pem: '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n' }]);
  });

  test('a block without END is an error naming the file, label and line', () => {
    const run = () => scanIdentityText(block('PRIVATE KEY') + '-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n', '/x/identity');
    expect(run).toThrow(BridgeError);
    expect(run).toThrow('/x/identity: the CERTIFICATE PEM block starting on line 4 has no END line');
  });

  test('a line that is not an OpenSSH certificate type is not taken for the SSH certificate', () => {
    expect(scanIdentityText('ssh-rsa AAAAB3NzaC1yc2E= user@host\nssh-rsa-cert-v1@openssh.com AAAA\n', 'f')).toEqual([]);
  });
});
