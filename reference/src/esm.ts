// Loads an ESM-only package (oidc-provider) from this CommonJS code under node, tsx and jest.
// The TypeScript transforms turn `import()` into `require()`, so the import is compiled at run
// time: as a plain function where the process has Node's own loader (node, tsx), else (inside
// jest's module sandbox) as a script of the main context that uses Node's default loader.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';

type Importer = (url: string) => Promise<unknown>;
let importer: Importer | undefined;

const viaFunction = new Function('url', 'return import(url)') as Importer;
const viaMainContext = (): Importer =>
  vm.runInThisContext('(url) => import(url)', { filename: __filename, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }) as Importer;

/** `specifier`: a package name or an absolute file path. */
export async function importEsm<T>(specifier: string): Promise<T> {
  const url = pathToFileURL(isAbsolute(specifier) ? specifier : require.resolve(specifier)).href;
  if (importer) return (await importer(url)) as T;
  try {
    const m = (await viaFunction(url)) as T;
    importer = viaFunction;
    return m;
  } catch {
    importer = viaMainContext();
    return (await importer(url)) as T;
  }
}
