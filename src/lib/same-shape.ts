/**
 * `true` only when A and B accept the same values. A decoder declares
 * `const _: SameShape<z.output<typeof schema>, TheType> = true`, so adding a
 * variant or a field to the type without teaching the decoder fails to compile
 * (instead of rows with the new shape failing to decode at run time).
 */
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
