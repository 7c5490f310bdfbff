/** A small Rust repository with planted secrets and duplicates, shared by the pipeline and CLI tests. */
import { FixtureRepo } from '../../fixtures/repo';

export const SECRETS = {
  aws: 'AKIAIOSFODNN7EXAMPLE',
  github: 'ghp_' + 'Zq8Xw2Lk5Mn7Bv1Cx3Za9Sd4Fg6Hj0Kl2Pq4Rt',
  privateKeyLine: 'MIIEowIBAAKCAQEAuM7y1o0Tb9kQ',
  email: 'leaky.person@secretcorp.io',
  ip: '203.119.84.17',
};

const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS.privateKeyLine}\nq4Rt7Yk2Lx9Mw3Nv5Bc8Df1Gh6Jk0Lm\n-----END RSA PRIVATE KEY-----`;

function fn(name: string, body: string): string {
  return `pub fn ${name}(x: u32) -> u32 {\n    let mut acc = x;\n    ${body}\n    acc\n}\n`;
}

/** 12 commits: several Rust files evolving, secrets planted in commit 3, an exact duplicate late in history. */
export function makeFixture(): FixtureRepo {
  const r = FixtureRepo.create('cc-pipe-');
  r.write('src/lib.rs', `pub mod math;\npub mod config;\n\n${fn('start', 'acc += 1;')}`);
  r.write('src/math.rs', fn('add_one', 'acc += 1;') + '\n' + fn('double', 'acc *= 2;'));
  r.commit('Initial math module');
  r.write('src/math.rs', fn('add_one', 'acc += 1;') + '\n' + fn('double', 'acc = acc.wrapping_mul(2);') + '\n' + fn('square', 'acc *= acc;'));
  r.commit('Add square and make double wrap\n\nSigned-off-by: Dev <dev@example.com>');
  r.write(
    'src/config.rs',
    `/// Connection settings.\npub struct Config {\n    pub host: String,\n}\n\npub fn defaults() -> Config {\n    let key = "${SECRETS.aws}";\n    let token = "${SECRETS.github}";\n    let admin = "${SECRETS.email}";\n    let host = "${SECRETS.ip}";\n    let _ = (key, token, admin);\n    Config { host: host.to_string() }\n}\n\npub const PEM: &str = "${PRIVATE_KEY.replace(/\n/g, '\\n')}";\n`,
  );
  r.commit(`Add config (contact ${SECRETS.email}) see https://example.com/issue/1 fixes #12`);
  for (let i = 0; i < 6; i++) {
    r.write(`src/step${i}.rs`, fn(`step_${i}`, Array.from({ length: 3 + i }, (_, k) => `acc = acc.rotate_left(${k + i});`).join('\n    ')));
    r.commit(`Add step ${i}`);
  }
  r.write('src/math.rs', fn('add_one', 'acc += 1;') + '\n' + fn('double', 'acc = acc.wrapping_mul(2);') + '\n' + fn('square', 'acc = acc.wrapping_mul(acc);'));
  r.commit('Make square wrap');
  // An exact copy of step0's code added under another path (exact duplicate of a train chunk).
  r.write('src/copy.rs', fn('step_0', Array.from({ length: 3 }, (_, k) => `acc = acc.rotate_left(${k});`).join('\n    ')));
  r.commit('Copy step zero');
  r.write('src/lib.rs', `pub mod math;\npub mod config;\n\n${fn('start', 'acc += 2;')}\n${fn('finish', 'acc -= 1;')}`);
  r.commit('Add finish');
  return r;
}

/**
 * A second repository for builds of several: 8 commits, all older than any of makeFixture's; commit 3 adds its
 * `step_3` almost verbatim (a near duplicate across the two repositories).
 */
export function makeOlderFixture(): FixtureRepo {
  const r = FixtureRepo.create('cc-older-');
  const t0 = 1600000000;
  for (let i = 0; i < 8; i++) {
    if (i === 3) r.write('src/borrowed.rs', fn('step_3', [0, 1, 2, 3, 4, 5].map((k) => `acc = acc.rotate_left(${k + 3});`).join('\n    ') + '\n    // borrowed'));
    else r.write(`src/older${i}.rs`, fn(`older_${i}`, Array.from({ length: 2 + i }, (_, k) => `acc = acc.wrapping_add(${k * 7 + i});`).join('\n    ')));
    r.commit(`Add older part ${i}`, { date: `${t0 + i * 86400} +0000` });
  }
  return r;
}
