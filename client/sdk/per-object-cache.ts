/**
 * One shared instance per (object, key): what several clients built on the same provider or store
 * must share, created on first use and gone with the object it hangs on.
 */
export class PerObjectCache<O extends object, V> {
  readonly #byObject = new WeakMap<O, Map<string, V>>();

  /** The instance for `owner` and `key`, made by `create` the first time it is asked for. */
  get(owner: O, key: string, create: () => V): V {
    let byKey = this.#byObject.get(owner);
    if (byKey === undefined) {
      byKey = new Map();
      this.#byObject.set(owner, byKey);
    }
    let value = byKey.get(key);
    if (value === undefined) {
      value = create();
      byKey.set(key, value);
    }
    return value;
  }
}
