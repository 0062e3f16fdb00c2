/**
 * Gives `target` one member per builder, built by its first read and kept: a request uses one or two
 * parts of an object that has many, and building all of them for every request cost more than the
 * request's own query (issue 12).
 */
export function defineBuiltWhenUsed<Target extends object>(
  target: Target,
  builders: { [Name in keyof Target]?: () => Target[Name] },
): Target {
  for (const name of Object.keys(builders) as Array<keyof Target & string>) {
    const build = builders[name] as () => Target[typeof name];
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = build();
        Object.defineProperty(target, name, { value, enumerable: true });
        return value;
      },
    });
  }
  return target;
}
