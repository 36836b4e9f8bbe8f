/**
 * OpenCV's drawing sine table: sin of 0..450 whole degrees, written to seven
 * decimals in its source and stored as float32. Index 450 - a gives cos(a).
 * Rebuilt here from that rule so polygons match OpenCV's to the last bit.
 */
export const SIN_TABLE: Float32Array = buildSinTable();

function buildSinTable(): Float32Array {
  const table = new Float32Array(451);
  for (let degrees = 0; degrees <= 450; degrees++) {
    table[degrees] = Number(Math.sin((degrees * Math.PI) / 180).toFixed(7));
  }
  return table;
}
