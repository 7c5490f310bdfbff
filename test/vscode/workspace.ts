/** The throwaway workspace the VS Code tests open: a small Rust repository with a few commits. */
import { FixtureRepo } from '../fixtures/repo';

export const WORKSPACE_COMMITS = ['Add a greeting library', 'Add a counter', 'Greet by name'];

export function makeWorkspace(): FixtureRepo {
  const repo = FixtureRepo.create('cc-vscode-ws-');
  repo.write('Cargo.toml', '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n');
  repo.write('src/lib.rs', 'pub fn greet() -> String {\n    "hello".to_string()\n}\n');
  repo.commit(WORKSPACE_COMMITS[0]);
  repo.write('src/counter.rs', 'pub struct Counter {\n    n: u64,\n}\n\nimpl Counter {\n    pub fn bump(&mut self) {\n        self.n += 1;\n    }\n}\n');
  repo.write('src/lib.rs', 'pub mod counter;\n\npub fn greet() -> String {\n    "hello".to_string()\n}\n');
  repo.commit(WORKSPACE_COMMITS[1]);
  repo.write('src/lib.rs', 'pub mod counter;\n\npub fn greet(name: &str) -> String {\n    format!("hello, {name}")\n}\n');
  repo.commit(WORKSPACE_COMMITS[2]);
  return repo;
}
