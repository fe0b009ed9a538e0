/*
 * With `--profile`, makes JSON visible in the CPU profile. V8 attributes the
 * time of builtins such as JSON.parse and JSON.stringify to the JavaScript
 * function that calls them, so a profile cannot tell "pg parsing a row"
 * from "JSON.parse of a json column". Replacing the two globals by named
 * wrappers (`jsonParse`, `jsonStringify`) gives that time a frame of its
 * own; the profile summary files it under JSON.
 *
 * Imported first by run.ts, before any library captures JSON.parse (pg-types
 * binds it at load time). Without `--profile` it does nothing.
 */
if (process.argv.includes('--profile')) {
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  JSON.parse = function jsonParse(text: string, reviver?: any) {
    return parse(text, reviver);
  };
  JSON.stringify = function jsonStringify(
    value: any,
    replacer?: any,
    space?: any,
  ) {
    return stringify(value, replacer, space);
  } as typeof JSON.stringify;
}

export {};
