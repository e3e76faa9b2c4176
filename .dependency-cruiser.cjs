/**
 * The dependency rules of docs/architecture.md ("Dependency rules"), checked on the import graph by
 * `npm run check:imports`, part of `npm test` (https://github.com/sverweij/dependency-cruiser).
 * Change a rule here and in the doc together.
 */
const SERVER = '^(shared|functions|infra)/';
/** Modules that do I/O: the domain stays pure (the clock and randomness come in as arguments or from node:crypto). */
const IO_MODULES =
  '^(node:)?(fs|fs/promises|net|dns|dns/promises|http|https|http2|tls|dgram|child_process|worker_threads)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'shared/domain imports nothing from adapters, observability, functions, infra, the console, tests or benchmarks',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: '^(shared/(adapters|observability)|functions|infra|console|test|bench)/' },
    },
    {
      name: 'domain-has-no-aws-sdk-or-io',
      comment: 'shared/domain uses no AWS SDK, Powertools, middy or HTTP client, and no module that does I/O',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: ['^node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|undici)/', IO_MODULES],
      },
    },
    {
      name: 'shared-is-below-functions-and-infra',
      comment:
        'shared/ (config, domain, adapters, observability) never imports a function, infra, the console, tests or benchmarks',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|console|test|bench|examples)/' },
    },
    {
      name: 'functions-import-shared-only',
      comment:
        'a function imports shared/ and its own files: never infra, the console, tests, benchmarks or examples',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(infra|console|test|bench|examples)/' },
    },
    {
      name: 'functions-are-independent',
      comment: 'a function never imports another function: what two functions share lives in shared/',
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'cdk-names-handlers-never-imports-them',
      comment:
        'infra/cdk points esbuild at handler entry files by path; importing function code would run it at synth',
      severity: 'error',
      from: { path: '^infra/cdk/' },
      to: { path: '^(functions|infra/local|infra/cli)/' },
    },
    {
      name: 'only-tests-and-benchmarks-import-the-local-runtime',
      comment: 'infra/local (emulators, pollers) is imported by itself, tests and benchmarks only',
      severity: 'error',
      from: { pathNot: '^(infra/local|test|bench)/' },
      to: { path: '^infra/local/' },
    },
    {
      name: 'product-code-imports-no-tests-or-benchmarks',
      comment: 'tests and benchmarks import product code, never the reverse',
      severity: 'error',
      from: { path: SERVER },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'console-imports-no-server-code',
      comment:
        'the web console is a browser bundle: it talks to the API over HTTP and may share only types of shared/domain',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: `${SERVER}|^(test|bench|examples)/`, pathNot: '^shared/domain/' },
    },
    {
      name: 'console-shares-only-domain-types',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^shared/domain/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'examples-stand-alone',
      comment: 'examples/ are receiver snippets users copy: they import npm packages and Node only',
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(shared|functions|infra|console|test|bench)/' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve package subpaths (`@aws-lambda-powertools/logger/middleware`) as Node and esbuild do.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
