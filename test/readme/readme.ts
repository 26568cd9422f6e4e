/**
 * The README's code blocks, and a shell that runs a block's commands one at a time as a user
 * would type them: `cd` and `export` carry over from one command to the next.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/repo.js";

export interface CodeBlock {
  /** The `## ` heading the block is under. */
  section: string;
  /** The fence's language (`sh`, `ts`, `solidity`, ...). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** Every fenced code block of a Markdown file, with the section it is in. */
export function codeBlocks(path = join(REPO, "README.md")): CodeBlock[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.+)$/.exec(lines[i]);
    if (heading) section = heading[1].trim();
    const fence = /^(`{3,})(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== fence[1]; i++) body.push(lines[i]);
    blocks.push({ section, lang: fence[2], code: `${body.join("\n")}\n`, line: start + 1 });
  }
  return blocks;
}

/** The blocks of the README's "Quickstart: …" sections. */
export function quickstartBlocks(): CodeBlock[] {
  return codeBlocks().filter((block) => block.section.startsWith("Quickstart:"));
}

/** The one quickstart block of `lang` in the section whose heading starts with `section`. */
export function quickstartBlock(section: string, lang: string): CodeBlock {
  const found = quickstartBlocks().filter((block) => block.section.startsWith(section) && block.lang === lang);
  if (found.length !== 1) throw new Error(`README: ${found.length} ${lang} blocks in the section "${section}…", expected 1`);
  return found[0];
}

/** A block's commands: its non-empty lines that are not comments. */
export function commands(block: CodeBlock): string[] {
  return block.code
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The environment a user's shell has: without what `hardhat test` set for this process (HARDHAT_CONFIG, HH_TEST). */
export function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_") && !name.startsWith("HH_")));
}

export interface CommandResult {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A bash session, one process per command: each starts in the directory and with the exported
 * variables the previous one left.
 */
export class Shell {
  private readonly state = mkdtempSync(join(tmpdir(), "highway-shell-"));

  constructor(cwd: string, env: NodeJS.ProcessEnv = userEnvironment()) {
    writeFileSync(join(this.state, "cwd"), cwd);
    writeFileSync(
      join(this.state, "env"),
      Object.entries(env)
        .filter(([name, value]) => value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        .map(([name, value]) => `export ${name}=${shellQuote(value!)}`)
        .join("\n"),
    );
  }

  private script(command: string, keepState: boolean): string {
    const state = (name: string) => shellQuote(join(this.state, name));
    return [
      "set -eo pipefail",
      `cd "$(cat ${state("cwd")})"`,
      `source ${state("env")}`,
      command,
      ...(keepState ? [`export -p | grep -v -E '^declare -x (PWD|OLDPWD|SHLVL|_)=' > ${state("env")}`, `pwd > ${state("cwd")}`] : []),
    ].join("\n");
  }

  /** Runs one command to its end. */
  run(command: string, timeoutMs = 300_000): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      // Its own process group, so that a timeout ends whatever the command started too.
      const child = spawn("bash", ["-c", this.script(command, true)], {
        env: { PATH: "/usr/local/bin:/usr/bin:/bin" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
      child.once("error", reject);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve({ command, code, stdout, stderr });
      });
    });
  }

  /** Starts a long-running command (a daemon) in the session's state; the caller stops it. */
  start(command: string): { process: ChildProcess; output(): string } {
    const child = spawn("bash", ["-c", this.script(`exec ${command}`, false)], {
      env: { PATH: "/usr/local/bin:/usr/bin:/bin" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output = (output + chunk).slice(-200_000)));
    child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-200_000)));
    return { process: child, output: () => output };
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
