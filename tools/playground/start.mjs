#!/usr/bin/env node
// Starts the Microsoft 365 Agents Playground against the local bot, acting as one of the demo people.
//
// The Playground cannot switch the current user in its UI: it reads the mock users from
// .m365agentsplayground.yml once at start. This script copies the repository's file to a temporary
// file with the chosen person swapped into `currentUser` (and a personal chat of their own), then
// runs the pinned Playground with M365_AGENTS_PLAYGROUND_CONFIG_PATH pointing at it.
//
//   node tools/playground/start.mjs [--user NAME] [--team ID] [--no-browser] [--telemetry] [-- PLAYGROUND ARGS...]
//
// --team ID gives the mock team that id, which is also its General channel's conversation id: with the digituki
// channel's id from internal/catalog/data/organisation.yaml (digituki.channel_id) the General channel is the
// digituki channel, where the hand-off cards go (walkthrough.mjs --handoff).
//
// NAME is a first name, full name, e-mail or Entra object id from the file (case- and accent-
// insensitive: "helena", "Mikael Nordström", "7c1e4a52-...-000000000004"). Without --user the file's
// own currentUser (Elina Lindholm) is used. Arguments after "--" go to agentsplayground unchanged,
// e.g. `-- -p 56200`. BOT_ENDPOINT overrides the bot endpoint (default http://localhost:3978/api/messages).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
const configPath = join(repoRoot, ".m365agentsplayground.yml");

function usage(message) {
  if (message) console.error(`start.mjs: ${message}`);
  console.error("usage: node tools/playground/start.mjs [--user NAME] [--team ID] [--no-browser] [--telemetry] [-- PLAYGROUND ARGS...]");
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { user: "", team: "", browser: true, telemetry: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      opts.rest = argv.slice(i + 1);
      break;
    } else if (a === "--user" || a === "-u") {
      if (i + 1 >= argv.length) usage("--user needs a value");
      opts.user = argv[++i];
    } else if (a.startsWith("--user=")) {
      opts.user = a.slice("--user=".length);
    } else if (a === "--team") {
      if (i + 1 >= argv.length) usage("--team needs a value");
      opts.team = argv[++i];
    } else if (a === "--no-browser" || a === "--headless") {
      opts.browser = false;
    } else if (a === "--telemetry") {
      opts.telemetry = true;
    } else if (a === "-h" || a === "--help") {
      usage();
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  return opts;
}

// fold lower-cases and strips accents so that "aberg" finds "Åberg".
function fold(s) {
  return String(s).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

function matches(user, wanted) {
  const w = fold(wanted);
  return [user.givenName, user.name, user.email, user.userPrincipleName, user.aadObjectId, user.id]
    .filter(Boolean)
    .some((v) => fold(v) === w);
}

// withCurrentUser returns a copy of config with the person matching wanted as currentUser; the former
// currentUser takes that person's place in users, so the Playground still sees exactly six people.
export function withCurrentUser(config, wanted) {
  const people = [config.currentUser, ...config.users];
  const found = people.filter((u) => matches(u, wanted));
  if (found.length === 0) {
    throw new Error(`no demo person matches "${wanted}"; known: ${people.map((u) => u.name).join(", ")}`);
  }
  if (found.length > 1) {
    throw new Error(`"${wanted}" matches several people: ${found.map((u) => u.name).join(", ")}`);
  }
  const chosen = found[0];
  if (chosen === config.currentUser) return config;
  const out = structuredClone(config);
  out.users = config.users.map((u) => (u === chosen ? config.currentUser : u));
  out.currentUser = chosen;
  // A personal chat of their own: the bot keys conversation references by conversation id.
  out.personalChat = { id: `${config.personalChat.id}-as-${String(chosen.id).replace(/^\d+:/, "")}` };
  return out;
}

// withTeamId returns a copy of config whose team (and so its General channel) has the conversation id teamId.
export function withTeamId(config, teamId) {
  if (!/^19:\S+$/.test(teamId)) throw new Error(`--team must be a Teams conversation id like 19:…@thread.tacv2 (got "${teamId}")`);
  const out = structuredClone(config);
  out.team = { ...config.team, id: teamId };
  return out;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const config = parse(readFileSync(configPath, "utf8"));
  let effectivePath = configPath;
  let effective = opts.user ? withCurrentUser(config, opts.user) : config;
  if (opts.team) effective = withTeamId(effective, opts.team);
  if (effective !== config) {
    const dir = mkdtempSync(join(tmpdir(), "valtuusbotti-playground-"));
    effectivePath = join(dir, ".m365agentsplayground.yml");
    writeFileSync(effectivePath, stringify(effective), { mode: 0o600 });
  }
  const logDir = join(here, "devTools");
  mkdirSync(logDir, { recursive: true });

  const env = {
    ...process.env,
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: effectivePath,
    M365_AGENTS_PLAYGROUND_LOGFILE: process.env.M365_AGENTS_PLAYGROUND_LOGFILE || join(logDir, "m365agentsplayground.log"),
  };
  if (!opts.browser) env.TEAMSAPPTESTER_BROWSER = "none";

  const endpoint = process.env.BOT_ENDPOINT || "http://localhost:3978/api/messages";
  const args = ["-e", endpoint, "-c", "msteams"];
  if (!opts.telemetry) args.push("--disable-telemetry");
  args.push(...opts.rest);

  console.error(`Playground as ${effective.currentUser.name}, bot at ${endpoint}, config ${effectivePath}`);
  const bin = join(here, "node_modules", ".bin", process.platform === "win32" ? "agentsplayground.cmd" : "agentsplayground");
  const child = spawn(bin, args, { env, stdio: "inherit", cwd: repoRoot });
  child.on("error", (err) => {
    console.error(`start.mjs: cannot run ${bin}: ${err.message} (run: npm --prefix tools/playground ci)`);
    process.exit(1);
  });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(`start.mjs: ${err.message}`);
    process.exit(1);
  }
}
