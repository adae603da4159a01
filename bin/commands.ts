/**
 * The options and help of the commands implemented under local/: defined here, with no import of
 * their modules, so that `--help`, usage errors and suggestions answer without loading the SDK or
 * DuckDB. bin/journeys.ts attaches the actions, which import the module when the command runs.
 */
import { Command, Option } from 'commander';

/**
 * Prose for commander to wrap to the terminal: the line breaks of the source become spaces, blank
 * lines stay paragraph breaks. (Commander prints a text with an indented line as it is, so tables
 * go in addHelpText.)
 */
export const prose = (text: string) => text.replace(/\n +/g, '\n').replace(/([^\n])\n(?=[^\n])/g, '$1 ');

/** The catalog's fallback locale; not in the help: the shipped templates are built for en. */
const defaultLocale = () => new Option('--default-locale <tag>').default('en').hideHelp();

/**
 * What the README's performance section measured (2026-12-03, two cores): 229.6 ms per customer on
 * DynamoDB Local with the SES emulator, 12.8 ms on the memory table with every email rendered.
 * local/simulate/cli.ts says the same when it suggests the memory table.
 */
const MEMORY_SPEEDUP = 'about 18 times faster per customer';

export function simulateSpec(): Command {
  return new Command('simulate')
    .summary('run a scenario against the journey engine with a virtual clock')
    .description(
      prose(`Runs a scenario (a timeline of shop events) on a virtual clock through the real handlers,
      against an embedded DynamoDB Local and SES v2 emulator, and prints what each customer receives and
      when. The clock jumps from one due moment to the next, so months of journey time take seconds.`),
    )
    .usage(
      '<scenario.(yaml|json)> [--json] [--check [--update]] [--customer ID] [--store dynamodb-local|memory] [--emails DIR] [--analytics DIR] [--workers N]',
    )
    .argument('<scenario>', 'the scenario file (YAML or JSON)')
    .option('--json', 'machine-readable output: { emails, events, rejected, errors }')
    .option('--check', "compare with the scenario's expect: section; exit 1 and list every difference")
    .option(
      '--update',
      prose(`with --check: rewrite the scenario's expect: section from the run, keeping what still holds as
      written, and show the diff (after an intended change to a journey: review the diff, commit)`),
    )
    .option(
      '--customer <id>',
      prose(`follow these customers only in the timeline (repeat it, or separate ids with commas); the
      summary counts their journeys`),
      (id: string, ids: string[] = []) => [...ids, id],
    )
    .addOption(
      new Option('--store <kind>', 'where journey state lives during the run (below)')
        .choices(['dynamodb-local', 'memory'])
        .default('dynamodb-local'),
    )
    .option(
      '--emails <dir>',
      prose(`write every email of the run there — its HTML and text part, and an index.html in the
      order they were sent — to read a whole series in a browser; the directory must be empty`),
    )
    .option(
      '--analytics <dir>',
      prose(`write the simulation's analytics log there as JSON Lines (dt=YYYY-MM-DD/…, the layout of
      npm start's .data/analytics/), times on the virtual clock; the directory must not hold a log yet.
      Read it with: journeys report --analytics DIR`),
    )
    .option(
      '--workers <n>',
      prose(`with --store memory: worker threads the customers are split over (the result is the one a
      single thread gives; default: every core from 1,000 customers on, else 1). Runs with --analytics
      stay in one thread`),
    )
    .addOption(defaultLocale())
    .addHelpText(
      'after',
      `
--store:
  dynamodb-local  DynamoDB Local, as in the tests (the default; needs Java 17+)
  memory          an in-process table with DynamoDB's semantics, and SES in process too (the same
                  mailer, no emulator): no Java, ${MEMORY_SPEEDUP}; for large what-if
                  runs (see also 'journeys backtest')`,
    );
}

export function backtestSpec(): Command {
  return new Command('backtest')
    .summary('replay a recorded event history through changed journeys, side by side with the current ones')
    .description(
      prose(`Replays a recorded history of shop events through a changed set of journey definitions and,
      side by side, through the current ones — the same handlers and engine as 'journeys simulate', on a
      virtual clock, with state in memory — and prints what each would have done: journey entries and
      holdouts, emails per journey and message, coupons issued, goals reached. Figures that differ are
      marked. Exits 1 if a handler failed in either run (its figures do not show what production would do).`),
    )
    .usage(
      '--events <history.jsonl> --journeys <dir> [--baseline <dir>] [--json] [--source <name>] [--horizon <duration>] [--workers <n>]',
    )
    .requiredOption('--events <file>', 'the recorded history (JSON Lines)')
    .requiredOption(
      '--journeys <dir>',
      "the changed journey definitions (templates and loyalty.yaml: the project's)",
    )
    .option('--baseline <dir>', "the definitions to compare with (default: the project's journeys/)")
    .option('--source <name>', "the shop's event source in the history", 'shop')
    .option(
      '--horizon <duration>',
      'let timers fall due this long after the last event (PT0S: the recorded period only)',
      'PT0S',
    )
    .option(
      '--workers <n>',
      prose(`worker threads each run splits the customers over (default: every core from 1,000
      customers on, else 1; the figures are the same either way)`),
    )
    .option('--json', 'machine-readable output: { period, events, customers, rows, runs }')
    .addOption(defaultLocale())
    .addHelpText(
      'after',
      `
The history is one EventBridge event per line, as the bus delivers it to a target:
  {"id":"…","detail-type":"order.placed","source":"shop","time":"2026-03-02T08:00:00Z","detail":{…}}
To get one from AWS: add a rule on the journeys bus for the shop's source with a CloudWatch Logs
(or Firehose to S3) target, replay the bus's archive with --destination FilterArns=<that rule>
(so no journey runs again), and export the messages, one per line. Events of other sources (the
system's own) are left out.`,
    );
}

export function previewSpec(): Command {
  return new Command('preview')
    .summary('render a journey message, or the gallery of every message')
    .description(
      prose(`Without a message: builds the catalog (journeys/ + templates/, exactly as deployed), renders
      every message of every journey in every shipped locale with sample data (a customer per locale, an
      order of three items in EUR or GBP, a percent coupon, NPS links, a referral code, a reward) and
      writes a gallery (below).

      With a message (e.g. onboarding/welcome or referral-invite/invite-friends): renders it for one
      locale and customer, writes the HTML and prints the resolved locale (de-AT → de), subject and
      preheader.`),
    )
    .usage(
      '[--out <dir>]\n       journeys preview <journey>/<message> [--locale <tag>] [--customer <file.json>] [--out <file.html>] [--text]',
    )
    .argument('[message]', 'the message to render, as <journey>/<message>')
    .option(
      '--out <path>',
      'gallery directory (default: preview/), or the HTML file of one message (default: preview/<journey>/<message>.<locale>.html)',
    )
    .option('--locale <tag>', "BCP 47 locale of the recipient (default: the customer's, else en)")
    .option(
      '--customer <file>',
      prose(`customer fixture, JSON: firstName, email, locale, timeZone, orderCount, and optional currency,
      order { orderId, placedAt, items, total } and coupon overrides (examples in test/fixtures/customers/)`),
    )
    .option('--text', 'print the plain-text part instead of writing the HTML')
    .option('--fallback', 'allow a locale that is not shipped (pt-BR) and show the fallback email')
    .addOption(defaultLocale())
    .addHelpText(
      'after',
      `
The gallery:
  <out>/index.html                              journeys with their steps, a messages × locales matrix, previews
  <out>/<journey>/<message>.<locale>.html|.txt  each email's HTML and plain-text part`,
    );
}

export function sendTestSpec(): Command {
  return new Command('send-test')
    .summary("send one message to yourself, through npm start's mail viewer or SES in your AWS account")
    .description(
      prose(`Renders one message with the preview gallery's sample data for the locale, or with --customer
      the data of a customer of the running npm start, exactly as the dispatcher builds it, marks its
      subject [test] and sends it with the journey and message tags of a real send. By default through
      the running npm start's SES emulator: the email shows in its mail viewer (/mail) and its links open
      the local preferences pages. With --aws through SES v2 in your AWS account (region and credentials
      from the standard AWS environment: AWS_REGION, AWS_PROFILE, …), as the stack's senderAddress
      (cdk.json).`),
    )
    .usage(
      '<journey>/<message> --to <address> [--locale <tag>] [--customer <id>] [--aws] [--fallback] [--data <dir>]',
    )
    .argument('<message>', 'the message to send, as <journey>/<message> (e.g. onboarding/welcome)')
    .requiredOption('--to <address>', 'where to send it (one address)')
    .option('--locale <tag>', "BCP 47 locale of the recipient (default: the customer's, else en)")
    .option(
      '--customer <id>',
      "render with this customer's data from npm start's table (profile, orders, loyalty, their journey)",
    )
    .option('--aws', "send through SES v2 in your AWS account instead of npm start's SES emulator")
    .option('--fallback', 'allow a locale that is not shipped (pt-BR) and send the email it falls back to')
    .option(
      '--data <dir>',
      "npm start's data directory, to find it running (default: $JOURNEYS_DATA_DIR, else <project>/.data)",
    )
    .addOption(defaultLocale());
}

export function reportSpec(): Command {
  return new Command('report')
    .summary('retention KPIs, cohorts, journey funnels and holdout uplift from the analytics log')
    .description(
      prose(`Computes the retention KPIs (CRR, churn, repeat-customer rate, purchase frequency, AOV, CLV,
      NPS) per period, the cohort table, journey funnels and holdout uplift from the analytics log.
      Without --json, --out or --csv it prints a summary.`),
    )
    .usage(
      '[--analytics <dir> | --athena] [--from <date> --to <date>] [--period week|month|quarter|year]\n' +
        '                       [--by market|locale] [--out <report.html>] [--json] [--csv <dir>] [--locale en|de]',
    )
    .option(
      '--analytics <dir>',
      prose(`local log (JSON Lines, dt=YYYY-MM-DD/ partitions) read with DuckDB (default: where 'npm start'
      writes it, the project's .data/analytics or $JOURNEYS_DATA_DIR/analytics)`),
    )
    .option('--athena', 'query the log in AWS through Athena instead')
    .option('--workgroup <name>', 'Athena workgroup (default: $JOURNEYS_ATHENA_WORKGROUP)')
    .option('--database <name>', "Glue database of the 'records' table (default: $JOURNEYS_ATHENA_DATABASE)")
    .option('--from <YYYY-MM-DD>', 'first day (default: 12 periods before --to)')
    .option('--to <YYYY-MM-DD>', 'day after the last (default: the start of the current period)')
    .option('--period <unit>', 'week (Monday to Sunday), month, quarter or year; UTC', 'month')
    .option('--by <market|locale>', "also break every period down by the customer's market or locale")
    .option(
      '--active-window <days>',
      prose(`a customer is active while their last counted order is this recent (default 365; 366 with
      --period year; at least one period)`),
    )
    .option(
      '--goal-window <days>',
      prose(`revenue per customer after a journey entry counts orders up to this many days after the
      entry day (default 30)`),
    )
    .option('--json', 'print the report as JSON (the shape in the README)')
    .option('--csv <dir>', 'write kpis.csv, cohorts.csv, journeys.csv and messages.csv')
    .option('--out <file.html>', 'write the HTML report (one self-contained file)')
    .option('--locale <en|de>', 'language of the HTML report', 'en');
}
