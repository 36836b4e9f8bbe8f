;; The WebAssembly SIMD kernel behind the ArcFace crop: OpenCV's fixed-point warpAffine (INTER_LINEAR, black
;; border) on RGB bytes, one output pixel (three channels) per step, written as float planes through a table.
;; Compiled by WABT's wat2wasm (`npm run wasm`) into warp-kernel-bytes.ts; a test checks that file is current.
;;
;; warp_table(src, srcStride, left, top, limitX, limitY, columns, rows, weights, width, height, out, planeBytes,
;; table), all addresses bytes in the module's own memory:
;; - src: the source pixels the crop can touch, rows srcStride bytes apart, image column `left` and row `top`
;;   first, with black pixels wherever the region reaches outside the image and 8 readable bytes past its end;
;; - limitX, limitY: the image's width + 1 and height + 1: a pixel samples the image when its top-left tap
;;   (sx, sy) has -1 <= sx < width and -1 <= sy < height, and is black otherwise;
;; - columns: 2 × i32 per output column, OpenCV's fixed-point steps of the inverse map (X and Y);
;; - rows: 2 × i32 per output row, the row's fixed-point start (X and Y, rounding delta included);
;; - weights: 32 bytes per 1/32-pixel position (fy · 32 + fx): i16x8 [a0 a1 a0 a1 a0 a1 0 0] for the top
;;   taps and the same for the bottom ones, OpenCV's 15-bit weights divided by 32 (they all are multiples);
;; - out: three planes of width × height floats, planeBytes apart (negative for B, G, R order);
;; - table: 256 floats, the value written for each byte.
;;
;; Per pixel: X = (rowX + columnX) >> 5 and Y likewise give the tap (X >> 5, Y >> 5) and the fractions
;; (X & 31, Y & 31); one 8-byte load per source row holds both taps of the three channels, a shuffle pairs them
;; as i16 and a dot product with the weights gives each row's three sums at once; (top + bottom + 512) >> 10 is
;; OpenCV's (sum · 32 + 2^14) >> 15.
(module
  (memory (export "memory") 1 16384)

  (func (export "warp_table")
    (param $src i32) (param $srcStride i32) (param $left i32) (param $top i32) (param $limitX i32) (param $limitY i32)
    (param $columns i32) (param $rows i32) (param $weights i32) (param $width i32) (param $height i32) (param $out i32)
    (param $planeBytes i32) (param $table i32)
    (local $rowAt i32) (local $rowEnd i32) (local $rowX i32) (local $rowY i32) (local $x4 i32) (local $xEnd i32)
    (local $X i32) (local $Y i32) (local $sx i32) (local $sy i32) (local $at i32) (local $w i32)
    (local $out0 i32) (local $out1 i32) (local $out2 i32) (local $value v128)
    (local.set $rowAt (local.get $rows))
    (local.set $rowEnd (i32.add (local.get $rows) (i32.shl (local.get $height) (i32.const 3))))
    (local.set $xEnd (i32.shl (local.get $width) (i32.const 2)))
    (local.set $out0 (local.get $out))
    (block $done
      (br_if $done (i32.ge_u (local.get $rowAt) (local.get $rowEnd)))
      (loop $outputRows
        (local.set $rowX (i32.load offset=0 (local.get $rowAt)))
        (local.set $rowY (i32.load offset=4 (local.get $rowAt)))
        (local.set $out1 (i32.add (local.get $out0) (local.get $planeBytes)))
        (local.set $out2 (i32.add (local.get $out1) (local.get $planeBytes)))
        (local.set $x4 (i32.const 0))
        (loop $pixels
          (local.set $X (i32.shr_s
            (i32.add (local.get $rowX) (i32.load offset=0 (i32.add (local.get $columns) (i32.shl (local.get $x4) (i32.const 1)))))
            (i32.const 5)))
          (local.set $Y (i32.shr_s
            (i32.add (local.get $rowY) (i32.load offset=4 (i32.add (local.get $columns) (i32.shl (local.get $x4) (i32.const 1)))))
            (i32.const 5)))
          (local.set $sx (i32.shr_s (local.get $X) (i32.const 5)))
          (local.set $sy (i32.shr_s (local.get $Y) (i32.const 5)))
          (local.set $value (v128.const i32x4 0 0 0 0))
          (if (i32.and
                (i32.lt_u (i32.add (local.get $sx) (i32.const 1)) (local.get $limitX))
                (i32.lt_u (i32.add (local.get $sy) (i32.const 1)) (local.get $limitY)))
            (then
              (local.set $at (i32.add (local.get $src)
                (i32.add
                  (i32.mul (i32.sub (local.get $sy) (local.get $top)) (local.get $srcStride))
                  (i32.mul (i32.sub (local.get $sx) (local.get $left)) (i32.const 3)))))
              (local.set $w (i32.add (local.get $weights)
                (i32.shl
                  (i32.or (i32.shl (i32.and (local.get $Y) (i32.const 31)) (i32.const 5)) (i32.and (local.get $X) (i32.const 31)))
                  (i32.const 5))))
              ;; byte offsets into the table of the pixel's three values: (top + bottom + 512) >> 10 << 2
              (local.set $value
                (i32x4.shl
                  (i32x4.shr_s
                    (i32x4.add
                      (i32x4.add
                        (i32x4.dot_i16x8_s
                          (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                            (v128.load64_zero (local.get $at))
                            (v128.const i32x4 0 0 0 0))
                          (v128.load offset=0 (local.get $w)))
                        (i32x4.dot_i16x8_s
                          (i8x16.shuffle 0 16 3 16 1 16 4 16 2 16 5 16 16 16 16 16
                            (v128.load64_zero (i32.add (local.get $at) (local.get $srcStride)))
                            (v128.const i32x4 0 0 0 0))
                          (v128.load offset=16 (local.get $w))))
                      (v128.const i32x4 512 512 512 512))
                    (i32.const 10))
                  (i32.const 2)))))
          (f32.store (i32.add (local.get $out0) (local.get $x4))
            (f32.load (i32.add (local.get $table) (i32x4.extract_lane 0 (local.get $value)))))
          (f32.store (i32.add (local.get $out1) (local.get $x4))
            (f32.load (i32.add (local.get $table) (i32x4.extract_lane 1 (local.get $value)))))
          (f32.store (i32.add (local.get $out2) (local.get $x4))
            (f32.load (i32.add (local.get $table) (i32x4.extract_lane 2 (local.get $value)))))
          (local.set $x4 (i32.add (local.get $x4) (i32.const 4)))
          (br_if $pixels (i32.lt_u (local.get $x4) (local.get $xEnd))))
        (local.set $out0 (i32.add (local.get $out0) (local.get $xEnd)))
        (local.set $rowAt (i32.add (local.get $rowAt) (i32.const 8)))
        (br_if $outputRows (i32.lt_u (local.get $rowAt) (local.get $rowEnd)))))))
