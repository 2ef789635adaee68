// Parses Adaptive Card JSON files with Microsoft's renderer (npm adaptivecards) and prints every parse warning or
// error: unknown element types, unknown actions, bad property values. Exit code 1 when any file has a problem.
// Usage: node check.js card1.json [card2.json ...]
'use strict';
const fs = require('fs');
const AC = require('adaptivecards/dist/adaptivecards.js');

let failed = false;
for (const file of process.argv.slice(2)) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ctx = new AC.SerializationContext();
  ctx.targetVersion = AC.Versions.v1_5;
  // The renderer checks "lang" with a /g regular expression, whose lastIndex survives between cards and makes
  // every second valid value fail; reset it so only real problems are reported.
  if (AC.CardElement.langProperty.regEx) AC.CardElement.langProperty.regEx.lastIndex = 0;
  const card = new AC.AdaptiveCard();
  card.parse(json, ctx);
  const problems = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const ev = ctx.getEventAt(i);
    problems.push(`${AC.ValidationEvent[ev.event] || ev.event}: ${ev.message}`);
  }
  // validateProperties catches what parsing tolerates, e.g. duplicate ids or a too-new version.
  const results = card.validateProperties();
  for (const e of results.validationEvents) {
    problems.push(`${AC.ValidationEvent[e.event] || e.event}: ${e.message}`);
  }
  if (problems.length > 0) {
    failed = true;
    console.log(`${file}:`);
    for (const p of problems) console.log(`  ${p}`);
  }
}
process.exit(failed ? 1 : 0);
