import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { StatusError } from '../base/status-error.js';

function statusCode(action: () => unknown): number {
  try {
    action();
  } catch (error) {
    if (StatusError.isInstance(error)) return error.status.code;
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('applyJsonPatch', () => {
  it('adds, appends with -, moves, copies and unescapes ~0 and ~1', () => {
    const result = applyJsonPatch(
      { a: { 'x/y': 1, 'm~n': 2 }, list: [1, 2] },
      [
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'add', path: '/list/0', value: 0 },
        { op: 'move', from: '/a/x~1y', path: '/moved' },
        { op: 'copy', from: '/a/m~0n', path: '/copied' },
        { op: 'remove', path: '/a' },
      ],
    );
    expect(result).toEqual({ list: [0, 1, 2, 3], moved: 1, copied: 2 });
  });

  it('fails with 422 for a missing path or a failing test, and 400 for a non-array or unknown op', () => {
    expect(statusCode(() => applyJsonPatch({}, [{ op: 'replace', path: '/nope', value: 1 }]))).toBe(422);
    expect(statusCode(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]))).toBe(422);
    expect(statusCode(() => applyJsonPatch({}, { op: 'add' }))).toBe(400);
    expect(statusCode(() => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }]))).toBe(400);
  });

  it('does not change its input', () => {
    const input = { a: [1] };
    applyJsonPatch(input, [{ op: 'add', path: '/a/-', value: 2 }]);
    expect(input).toEqual({ a: [1] });
  });
});

describe('applyMergePatch', () => {
  it('merges objects, deletes with null and replaces arrays', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, list: [1, 2] }, { a: { c: null, d: 3 }, list: [9] })).toEqual({ a: { b: 1, d: 3 }, list: [9] });
  });
});

describe('applyStrategicMergePatch', () => {
  const pod = {
    spec: {
      containers: [
        {
          name: 'app',
          image: 'a:1',
          ports: [{ containerPort: 80, name: 'http' }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          env: [{ name: 'A', value: '1' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
    metadata: { finalizers: ['x'] },
  };

  it('merges container ports by containerPort and volumeMounts by mountPath', () => {
    const result = applyStrategicMergePatch(pod, {
      spec: {
        containers: [
          {
            name: 'app',
            ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
            volumeMounts: [{ name: 'cache', mountPath: '/data' }],
          },
        ],
      },
    }) as typeof pod;
    expect(result.spec.containers[0]?.ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }]);
    expect(result.spec.containers[0]?.volumeMounts).toEqual([{ name: 'cache', mountPath: '/data' }]);
    expect(result.spec.containers[0]?.image).toBe('a:1');
  });

  it('replaces a list or a map with $patch: replace, and deletes a map with $patch: delete', () => {
    const replacedList = applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'only', emptyDir: {} }, { $patch: 'replace' }] } }) as typeof pod;
    expect(replacedList.spec.volumes).toEqual([{ name: 'only', emptyDir: {} }]);
    const replacedMap = applyStrategicMergePatch({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } });
    expect(replacedMap).toEqual({ a: { z: 3 } });
    const deletedMap = applyStrategicMergePatch({ a: { x: 1 }, b: 1 }, { a: { $patch: 'delete' } });
    expect(deletedMap).toEqual({ b: 1 });
  });

  it('merges finalizers as a set, removes with $deleteFromPrimitiveList and ignores $setElementOrder', () => {
    const added = applyStrategicMergePatch(pod, { metadata: { finalizers: ['x', 'y'] } }) as typeof pod;
    expect(added.metadata.finalizers).toEqual(['x', 'y']);
    const removed = applyStrategicMergePatch(added, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }) as typeof pod;
    expect(removed.metadata.finalizers).toEqual(['y']);
    const ordered = applyStrategicMergePatch(pod, { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'app', image: 'a:2' }] } }) as typeof pod;
    expect(ordered.spec.containers.map((container) => container.image)).toEqual(['a:2']);
  });

  it('merges Service ports by port', () => {
    const service = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    expect(applyStrategicMergePatch(service, { spec: { ports: [{ port: 80, name: 'http' }] } })).toEqual({
      spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }, { port: 443 }] },
    });
  });

  it('rejects a non-object patch with 400', () => {
    expect(statusCode(() => applyStrategicMergePatch({}, [1]))).toBe(400);
  });
});
