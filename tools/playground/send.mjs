#!/usr/bin/env node
// Sends one message to the bot through a running Agents Playground, as its current user, in the
// personal chat, with a locale of your choice.
//
// The Playground stamps every message typed in its UI with locale "en-US". Its custom-activity
// endpoint (POST /_internal/v1/customActivities, the same one as the UI's "Mock an Activity" ->
// "Custom activity" editor) forwards an activity to the bot unchanged, so this script builds a
// Teams-like message activity with the wanted locale and sends it there. The bot's reply appears
// in the Playground UI's personal chat.
//
//   node tools/playground/send.mjs [--port 56150] [--locale sv-FI] [--print] TEXT...
import { randomUUID } from "node:crypto";

function usage(message) {
  if (message) console.error(`send.mjs: ${message}`);
  console.error("usage: node tools/playground/send.mjs [--port 56150] [--locale sv-FI] [--print] TEXT...");
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { port: 56150, locale: "sv-FI", print: false, text: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port" || a === "-p") {
      opts.port = Number(argv[++i]);
      if (!Number.isInteger(opts.port) || opts.port <= 0) usage("--port needs a port number");
    } else if (a === "--locale" || a === "-l") {
      opts.locale = argv[++i];
      if (!opts.locale) usage("--locale needs a value such as sv-FI, fi-FI or en-US");
    } else if (a === "--print") {
      opts.print = true;
    } else if (a === "-h" || a === "--help") {
      usage();
    } else {
      opts.text.push(a);
    }
  }
  if (opts.text.length === 0) usage("no message text");
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const base = `http://127.0.0.1:${opts.port}`;
  const res = await fetch(`${base}/_internal/v1/config`);
  if (!res.ok) throw new Error(`GET /_internal/v1/config: HTTP ${res.status}`);
  const { config } = await res.json();
  const me = config.currentUser;
  const now = new Date();
  const country = opts.locale.split("-")[1] ?? "";
  const activity = {
    type: "message",
    id: randomUUID(),
    text: opts.text.join(" "),
    textFormat: "plain",
    timestamp: now.toISOString(),
    localTimestamp: now.toISOString(),
    localTimezone: "Europe/Helsinki",
    channelId: "msteams",
    serviceUrl: `http://localhost:${opts.port}/_connector`,
    from: { id: me.id, name: me.name, aadObjectId: me.aadObjectId },
    recipient: { id: config.bot.id, name: config.bot.name },
    conversation: { conversationType: "personal", tenantId: config.tenantId, id: config.personalChat.id },
    locale: opts.locale,
    entities: [{ type: "clientInfo", locale: opts.locale, country, platform: "Web", timezone: "Europe/Helsinki" }],
    channelData: { tenant: { id: config.tenantId } },
  };
  if (opts.print) console.log(JSON.stringify(activity, null, 2));
  const sent = await fetch(`${base}/_internal/v1/customActivities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(activity),
  });
  if (!sent.ok) throw new Error(`POST /_internal/v1/customActivities: HTTP ${sent.status} ${await sent.text()}`);
  console.error(`sent as ${me.name} with locale ${opts.locale}`);
}

main().catch((err) => {
  console.error(`send.mjs: ${err.message}`);
  process.exit(1);
});
