;; The WebAssembly SIMD kernel behind the letterbox: OpenCV's fixed-point INTER_LINEAR on RGB bytes,
;; one output pixel (three channels) per step, written as normalised float planes.
;; Compiled by WABT's wat2wasm (`npm run wasm`) into resize-kernel-bytes.ts; a test checks that file is current.
;;
;; Both exports take (src, xOffsets, xWeights, yTable, width, height, out, planeBytes, table, rowBytes),
;; all byte addresses in the module's own memory:
;; - src: the source rows the y table refers to (with 8 readable bytes past the last pixel);
;; - xOffsets: i32 per output column, the byte offset of its left source pixel in a row;
;; - xWeights: i16x8 per output column, [w0 w1 w0 w1 w0 w1 0 0] (the right pixel is the next one, or weighs 0);
;; - yTable: 4 × i32 per output row: byte offsets (from src) of its two source rows, and their weights;
;; - out: three planes, planeBytes apart (negative for B, G, R order), each of height rows rowBytes apart,
;;   of which the first width floats are written;
;; - table: for resize_table, 256 floats, the normalised value of each byte; for resize_affine, two floats
;;   (mean, scale), and each value is written as (v − mean) · scale in float32.
;;
;; Per pixel: one 8-byte load per source row holds both taps of all three channels; a shuffle pairs them
;; as i16 and a dot product with the weights gives OpenCV's three horizontal sums at once. The vertical
;; blend is OpenCV's SIMD path: (S >> 4) · β >> 16 per row, summed, + 2 >> 2, saturated at 255.
;; resize_affine (the detector's path) takes four pixels per step and transposes their [R G B -] values into
;; one vector per plane, three stores instead of twelve; the last width mod 4 pixels go one at a time.
;; Node 20 does not inline WebAssembly calls, so the per-pixel code is written out wherever it runs.
(module
  (memory (export "memory") 1 16384)

  (func (export "resize_table")
    (param $src i32) (param $xOffsets i32) (param $xWeights i32) (param $yTable i32) (param $width i32)
    (param $height i32) (param $out i32) (param $planeBytes i32) (param $table i32) (param $rowBytes i32)
    (local $yAt i32) (local $yEnd i32) (local $row0 i32) (local $row1 i32) (local $x4 i32) (local $xEnd i32)
    (local $offset i32) (local $out0 i32) (local $out1 i32) (local $out2 i32)
    (local $beta0 v128) (local $beta1 v128) (local $weights v128) (local $value v128)
    (local.set $yAt (local.get $yTable))
    (local.set $yEnd (i32.add (local.get $yTable) (i32.shl (local.get $height) (i32.const 4))))
    (local.set $xEnd (i32.shl (local.get $width) (i32.const 2)))
    (local.set $out0 (local.get $out))
    (block $done
      (br_if $done (i32.ge_u (local.get $yAt) (local.get $yEnd)))
      (loop $rows
        (local.set $row0 (i32.add (local.get $src) (i32.load offset=0 (local.get $yAt))))
        (local.set $row1 (i32.add (local.get $src) (i32.load offset=4 (local.get $yAt))))
        (local.set $beta0 (i32x4.splat (i32.load offset=8 (local.get $yAt))))
        (local.set $beta1 (i32x4.splat (i32.load offset=12 (local.get $yAt))))
        (local.set $out1 (i32.add (local.get $out0) (local.get $planeBytes)))
        (local.set $out2 (i32.add (local.get $out1) (local.get $planeBytes)))
        (local.set $x4 (i32.const 0))
        (loop $pixels
          (local.set $offset (i32.load (i32.add (local.get $xOffsets) (local.get $x4))))
          (local.set $weights (v128.load (i32.add (local.get $xWeights) (i32.shl (local.get $x4) (i32.const 2)))))
          ;; byte offsets into the table of the pixel's three values: min(255, (row0 + row1 + 2) >> 2) << 2
          (local.set $value
            (i32x4.shl
              (i32x4.min_s
                (i32x4.shr_s
                  (i32x4.add
                    (i32x4.add
                      (i32x4.shr_s
                        (i32x4.mul
                          (i32x4.shr_s
                            (i32x4.dot_i16x8_s
                              (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                (v128.load64_zero (i32.add (local.get $row0) (local.get $offset)))
                                (v128.const i32x4 0 0 0 0))
                              (local.get $weights))
                            (i32.const 4))
                          (local.get $beta0))
                        (i32.const 16))
                      (i32x4.shr_s
                        (i32x4.mul
                          (i32x4.shr_s
                            (i32x4.dot_i16x8_s
                              (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                (v128.load64_zero (i32.add (local.get $row1) (local.get $offset)))
                                (v128.const i32x4 0 0 0 0))
                              (local.get $weights))
                            (i32.const 4))
                          (local.get $beta1))
                        (i32.const 16)))
                    (v128.const i32x4 2 2 2 2))
                  (i32.const 2))
                (v128.const i32x4 255 255 255 255))
              (i32.const 2)))
          (f32.store (i32.add (local.get $out0) (local.get $x4))
            (f32.load (i32.add (local.get $table) (i32x4.extract_lane 0 (local.get $value)))))
          (f32.store (i32.add (local.get $out1) (local.get $x4))
            (f32.load (i32.add (local.get $table) (i32x4.extract_lane 1 (local.get $value)))))
          (f32.store (i32.add (local.get $out2) (local.get $x4))
            (f32.load (i32.add (local.get $table) (i32x4.extract_lane 2 (local.get $value)))))
          (local.set $x4 (i32.add (local.get $x4) (i32.const 4)))
          (br_if $pixels (i32.lt_u (local.get $x4) (local.get $xEnd))))
        (local.set $out0 (i32.add (local.get $out0) (local.get $rowBytes)))
        (local.set $yAt (i32.add (local.get $yAt) (i32.const 16)))
        (br_if $rows (i32.lt_u (local.get $yAt) (local.get $yEnd))))))

  (func (export "resize_affine")
    (param $src i32) (param $xOffsets i32) (param $xWeights i32) (param $yTable i32) (param $width i32)
    (param $height i32) (param $out i32) (param $planeBytes i32) (param $table i32) (param $rowBytes i32)
    (local $yAt i32) (local $yEnd i32) (local $row0 i32) (local $row1 i32) (local $x4 i32) (local $xEnd i32)
    (local $offset i32) (local $out0 i32) (local $out1 i32) (local $out2 i32)
    (local $beta0 v128) (local $beta1 v128) (local $weights v128) (local $value v128)
    (local $mean v128) (local $scale v128) (local $xQuads i32)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $lo v128) (local $hi v128)
    (local.set $mean (v128.load32_splat offset=0 (local.get $table)))
    (local.set $scale (v128.load32_splat offset=4 (local.get $table)))
    (local.set $yAt (local.get $yTable))
    (local.set $yEnd (i32.add (local.get $yTable) (i32.shl (local.get $height) (i32.const 4))))
    (local.set $xEnd (i32.shl (local.get $width) (i32.const 2)))
    (local.set $xQuads (i32.and (local.get $xEnd) (i32.const -16)))
    (local.set $out0 (local.get $out))
    (block $done
      (br_if $done (i32.ge_u (local.get $yAt) (local.get $yEnd)))
      (loop $rows
        (local.set $row0 (i32.add (local.get $src) (i32.load offset=0 (local.get $yAt))))
        (local.set $row1 (i32.add (local.get $src) (i32.load offset=4 (local.get $yAt))))
        (local.set $beta0 (i32x4.splat (i32.load offset=8 (local.get $yAt))))
        (local.set $beta1 (i32x4.splat (i32.load offset=12 (local.get $yAt))))
        (local.set $out1 (i32.add (local.get $out0) (local.get $planeBytes)))
        (local.set $out2 (i32.add (local.get $out1) (local.get $planeBytes)))
        (local.set $x4 (i32.const 0))
        ;; four pixels at a time: their [R G B -] values transposed into one vector per plane
        (block $quadsDone
          (br_if $quadsDone (i32.ge_u (local.get $x4) (local.get $xQuads)))
          (loop $quads
            (local.set $offset (i32.load (i32.add (local.get $xOffsets) (local.get $x4))))
            (local.set $weights (v128.load (i32.add (local.get $xWeights) (i32.shl (local.get $x4) (i32.const 2)))))
            (local.set $p0
              (f32x4.mul
                (f32x4.sub
                  (f32x4.convert_i32x4_s
                    (i32x4.min_s
                      (i32x4.shr_s
                        (i32x4.add
                          (i32x4.add
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row0) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta0))
                              (i32.const 16))
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row1) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta1))
                              (i32.const 16)))
                          (v128.const i32x4 2 2 2 2))
                        (i32.const 2))
                      (v128.const i32x4 255 255 255 255)))
                  (local.get $mean))
                (local.get $scale)))
            (local.set $offset (i32.load offset=4 (i32.add (local.get $xOffsets) (local.get $x4))))
            (local.set $weights (v128.load offset=16 (i32.add (local.get $xWeights) (i32.shl (local.get $x4) (i32.const 2)))))
            (local.set $p1
              (f32x4.mul
                (f32x4.sub
                  (f32x4.convert_i32x4_s
                    (i32x4.min_s
                      (i32x4.shr_s
                        (i32x4.add
                          (i32x4.add
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row0) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta0))
                              (i32.const 16))
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row1) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta1))
                              (i32.const 16)))
                          (v128.const i32x4 2 2 2 2))
                        (i32.const 2))
                      (v128.const i32x4 255 255 255 255)))
                  (local.get $mean))
                (local.get $scale)))
            (local.set $offset (i32.load offset=8 (i32.add (local.get $xOffsets) (local.get $x4))))
            (local.set $weights (v128.load offset=32 (i32.add (local.get $xWeights) (i32.shl (local.get $x4) (i32.const 2)))))
            (local.set $p2
              (f32x4.mul
                (f32x4.sub
                  (f32x4.convert_i32x4_s
                    (i32x4.min_s
                      (i32x4.shr_s
                        (i32x4.add
                          (i32x4.add
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row0) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta0))
                              (i32.const 16))
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row1) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta1))
                              (i32.const 16)))
                          (v128.const i32x4 2 2 2 2))
                        (i32.const 2))
                      (v128.const i32x4 255 255 255 255)))
                  (local.get $mean))
                (local.get $scale)))
            (local.set $offset (i32.load offset=12 (i32.add (local.get $xOffsets) (local.get $x4))))
            (local.set $weights (v128.load offset=48 (i32.add (local.get $xWeights) (i32.shl (local.get $x4) (i32.const 2)))))
            (local.set $p3
              (f32x4.mul
                (f32x4.sub
                  (f32x4.convert_i32x4_s
                    (i32x4.min_s
                      (i32x4.shr_s
                        (i32x4.add
                          (i32x4.add
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row0) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta0))
                              (i32.const 16))
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row1) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta1))
                              (i32.const 16)))
                          (v128.const i32x4 2 2 2 2))
                        (i32.const 2))
                      (v128.const i32x4 255 255 255 255)))
                  (local.get $mean))
                (local.get $scale)))
            (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $p0) (local.get $p1)))
            (local.set $hi (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $p2) (local.get $p3)))
            (v128.store (i32.add (local.get $out0) (local.get $x4))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            (v128.store (i32.add (local.get $out1) (local.get $x4))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $hi)))
            (local.set $lo (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $p0) (local.get $p1)))
            (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $p2) (local.get $p3)))
            (v128.store (i32.add (local.get $out2) (local.get $x4))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            (local.set $x4 (i32.add (local.get $x4) (i32.const 16)))
            (br_if $quads (i32.lt_u (local.get $x4) (local.get $xQuads)))))
        ;; the last width mod 4 pixels one at a time
        (block $pixelsDone
          (br_if $pixelsDone (i32.ge_u (local.get $x4) (local.get $xEnd)))
          (loop $pixels
            (local.set $offset (i32.load (i32.add (local.get $xOffsets) (local.get $x4))))
            (local.set $weights (v128.load (i32.add (local.get $xWeights) (i32.shl (local.get $x4) (i32.const 2)))))
            ;; the pixel's three normalised values: (min(255, (row0 + row1 + 2) >> 2) − mean) · scale
            (local.set $value
              (f32x4.mul
                (f32x4.sub
                  (f32x4.convert_i32x4_s
                    (i32x4.min_s
                      (i32x4.shr_s
                        (i32x4.add
                          (i32x4.add
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row0) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta0))
                              (i32.const 16))
                            (i32x4.shr_s
                              (i32x4.mul
                                (i32x4.shr_s
                                  (i32x4.dot_i16x8_s
                                    (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                                      (v128.load64_zero (i32.add (local.get $row1) (local.get $offset)))
                                      (v128.const i32x4 0 0 0 0))
                                    (local.get $weights))
                                  (i32.const 4))
                                (local.get $beta1))
                              (i32.const 16)))
                          (v128.const i32x4 2 2 2 2))
                        (i32.const 2))
                      (v128.const i32x4 255 255 255 255)))
                  (local.get $mean))
                (local.get $scale)))
            (v128.store32_lane 0 (i32.add (local.get $out0) (local.get $x4)) (local.get $value))
            (v128.store32_lane 1 (i32.add (local.get $out1) (local.get $x4)) (local.get $value))
            (v128.store32_lane 2 (i32.add (local.get $out2) (local.get $x4)) (local.get $value))
            (local.set $x4 (i32.add (local.get $x4) (i32.const 4)))
            (br_if $pixels (i32.lt_u (local.get $x4) (local.get $xEnd)))))
        (local.set $out0 (i32.add (local.get $out0) (local.get $rowBytes)))
        (local.set $yAt (i32.add (local.get $yAt) (i32.const 16)))
        (br_if $rows (i32.lt_u (local.get $yAt) (local.get $yEnd)))))))
