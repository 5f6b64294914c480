import type { IConstruct } from 'constructs';

/**
 * The first free child id `<prefix>1`, `<prefix>2`, ... under `scope`. Used by grant and assignment methods whose
 * callers did not name the child: deterministic for a given program, and callers pass an explicit id to keep a
 * resource stable when earlier calls are removed.
 */
export function nextChildId(scope: IConstruct, prefix: string): string {
  for (let n = 1; ; n++) {
    const id = `${prefix}${n}`;
    if (!scope.node.tryFindChild(id)) return id;
  }
}
