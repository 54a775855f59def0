;; Compute-heavy contract for benchmarks: SHA-256 iterated, in WebAssembly or with the host's sha256, so the
;; interpreter, the compiler and the host can be compared on the same work.
;;
;; call and query input: op (1 byte) ‖ rounds (u32 LE, >= 1) ‖ data (at most 64 KiB)
;;   op 0x01: SHA-256 written in WebAssembly (below); op 0x02: the host's sha256 import.
;;   d1 = SHA-256(data), d(i+1) = SHA-256(d(i)); output: d(rounds), 32 bytes.
;; call also stores the digest under "last"; query changes nothing.
(module
  (import "cloister" "input_len" (func $input_len (result i32)))
  (import "cloister" "input_read" (func $input_read (param i32)))
  (import "cloister" "return_value" (func $return_value (param i32 i32)))
  (import "cloister" "revert" (func $revert (param i32 i32)))
  (import "cloister" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "cloister" "sha256" (func $host_sha256 (param i32 i32 i32)))

  ;; Memory map: 1024 K (64 × i32) | 2048 W (64 × i32) | 2304 last block(s) (128) | 2560 digest (32)
  ;;             3072 strings | 65536 input (op ‖ rounds ‖ data)
  (memory (export "memory") 3)
  (data (i32.const 1024)
    "\98\2f\8a\42\91\44\37\71\cf\fb\c0\b5\a5\db\b5\e9"
    "\5b\c2\56\39\f1\11\f1\59\a4\82\3f\92\d5\5e\1c\ab"
    "\98\aa\07\d8\01\5b\83\12\be\85\31\24\c3\7d\0c\55"
    "\74\5d\be\72\fe\b1\de\80\a7\06\dc\9b\74\f1\9b\c1"
    "\c1\69\9b\e4\86\47\be\ef\c6\9d\c1\0f\cc\a1\0c\24"
    "\6f\2c\e9\2d\aa\84\74\4a\dc\a9\b0\5c\da\88\f9\76"
    "\52\51\3e\98\6d\c6\31\a8\c8\27\03\b0\c7\7f\59\bf"
    "\f3\0b\e0\c6\47\91\a7\d5\51\63\ca\06\67\29\29\14"
    "\85\0a\b7\27\38\21\1b\2e\fc\6d\2c\4d\13\0d\38\53"
    "\54\73\0a\65\bb\0a\6a\76\2e\c9\c2\81\85\2c\72\92"
    "\a1\e8\bf\a2\4b\66\1a\a8\70\8b\4b\c2\a3\51\6c\c7"
    "\19\e8\92\d1\24\06\99\d6\85\35\0e\f4\70\a0\6a\10"
    "\16\c1\a4\19\08\6c\37\1e\4c\77\48\27\b5\bc\b0\34"
    "\b3\0c\1c\39\4a\aa\d8\4e\4f\ca\9c\5b\f3\6f\2e\68"
    "\ee\82\8f\74\6f\63\a5\78\14\78\c8\84\08\02\c7\8c"
    "\fa\ff\be\90\eb\6c\50\a4\f7\a3\f9\be\f2\78\71\c6")
  (data (i32.const 3072) "bad input")
  (data (i32.const 3104) "last")

  (global $h0 (mut i32) (i32.const 0))
  (global $h1 (mut i32) (i32.const 0))
  (global $h2 (mut i32) (i32.const 0))
  (global $h3 (mut i32) (i32.const 0))
  (global $h4 (mut i32) (i32.const 0))
  (global $h5 (mut i32) (i32.const 0))
  (global $h6 (mut i32) (i32.const 0))
  (global $h7 (mut i32) (i32.const 0))

  (func $bswap (param $x i32) (result i32)
    (i32.or
      (i32.or (i32.shl (local.get $x) (i32.const 24))
              (i32.and (i32.shl (local.get $x) (i32.const 8)) (i32.const 0xff0000)))
      (i32.or (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff00))
              (i32.shr_u (local.get $x) (i32.const 24)))))

  ;; One 64-byte block at $p into the state $h0..$h7.
  (func $compress (param $p i32)
    (local $t i32) (local $t4 i32) (local $w15 i32) (local $w2 i32) (local $t1 i32) (local $t2 i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    (loop $load
      (local.set $t4 (i32.shl (local.get $t) (i32.const 2)))
      (i32.store offset=2048 (local.get $t4) (call $bswap (i32.load (i32.add (local.get $p) (local.get $t4)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $load (i32.lt_u (local.get $t) (i32.const 16))))
    (loop $extend
      (local.set $t4 (i32.shl (local.get $t) (i32.const 2)))
      (local.set $w15 (i32.load offset=1988 (local.get $t4)))
      (local.set $w2 (i32.load offset=2040 (local.get $t4)))
      (i32.store offset=2048 (local.get $t4)
        (i32.add
          (i32.add (i32.load offset=1984 (local.get $t4))
                   (i32.xor (i32.xor (i32.rotr (local.get $w15) (i32.const 7)) (i32.rotr (local.get $w15) (i32.const 18)))
                            (i32.shr_u (local.get $w15) (i32.const 3))))
          (i32.add (i32.load offset=2020 (local.get $t4))
                   (i32.xor (i32.xor (i32.rotr (local.get $w2) (i32.const 17)) (i32.rotr (local.get $w2) (i32.const 19)))
                            (i32.shr_u (local.get $w2) (i32.const 10))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $extend (i32.lt_u (local.get $t) (i32.const 64))))
    (local.set $a (global.get $h0)) (local.set $b (global.get $h1)) (local.set $c (global.get $h2)) (local.set $d (global.get $h3))
    (local.set $e (global.get $h4)) (local.set $f (global.get $h5)) (local.set $g (global.get $h6)) (local.set $h (global.get $h7))
    (local.set $t (i32.const 0))
    (loop $round
      (local.set $t4 (i32.shl (local.get $t) (i32.const 2)))
      (local.set $t1
        (i32.add
          (i32.add (local.get $h)
                   (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11)))
                            (i32.rotr (local.get $e) (i32.const 25))))
          (i32.add
            (i32.xor (i32.and (local.get $e) (local.get $f))
                     (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g)))
            (i32.add (i32.load offset=1024 (local.get $t4)) (i32.load offset=2048 (local.get $t4))))))
      (local.set $t2
        (i32.add
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13)))
                   (i32.rotr (local.get $a) (i32.const 22)))
          (i32.xor (i32.xor (i32.and (local.get $a) (local.get $b)) (i32.and (local.get $a) (local.get $c)))
                   (i32.and (local.get $b) (local.get $c)))))
      (local.set $h (local.get $g))
      (local.set $g (local.get $f))
      (local.set $f (local.get $e))
      (local.set $e (i32.add (local.get $d) (local.get $t1)))
      (local.set $d (local.get $c))
      (local.set $c (local.get $b))
      (local.set $b (local.get $a))
      (local.set $a (i32.add (local.get $t1) (local.get $t2)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $t) (i32.const 64))))
    (global.set $h0 (i32.add (global.get $h0) (local.get $a)))
    (global.set $h1 (i32.add (global.get $h1) (local.get $b)))
    (global.set $h2 (i32.add (global.get $h2) (local.get $c)))
    (global.set $h3 (i32.add (global.get $h3) (local.get $d)))
    (global.set $h4 (i32.add (global.get $h4) (local.get $e)))
    (global.set $h5 (i32.add (global.get $h5) (local.get $f)))
    (global.set $h6 (i32.add (global.get $h6) (local.get $g)))
    (global.set $h7 (i32.add (global.get $h7) (local.get $h))))

  ;; SHA-256 of $len bytes at $ptr, 32 bytes written to $out ($out may overlap the input).
  (func $sha256 (param $ptr i32) (param $len i32) (param $out i32)
    (local $i i32) (local $full i32) (local $rem i32) (local $bits i64) (local $at i32)
    (global.set $h0 (i32.const 1779033703))
    (global.set $h1 (i32.const -1150833019))
    (global.set $h2 (i32.const 1013904242))
    (global.set $h3 (i32.const -1521486534))
    (global.set $h4 (i32.const 1359893119))
    (global.set $h5 (i32.const -1694144372))
    (global.set $h6 (i32.const 528734635))
    (global.set $h7 (i32.const 1541459225))
    (local.set $full (i32.and (local.get $len) (i32.const -64)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $full)))
        (call $compress (i32.add (local.get $ptr) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $blocks)))
    ;; the last one or two blocks: the remaining bytes, 0x80, zeros, the length in bits (big-endian u64)
    (local.set $i (i32.const 0))
    (loop $zero
      (i64.store offset=2304 (local.get $i) (i64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $zero (i32.lt_u (local.get $i) (i32.const 128))))
    (local.set $rem (i32.sub (local.get $len) (local.get $full)))
    (local.set $i (i32.const 0))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_u (local.get $i) (local.get $rem)))
        (i32.store8 offset=2304 (local.get $i)
          (i32.load8_u (i32.add (i32.add (local.get $ptr) (local.get $full)) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (i32.store8 offset=2304 (local.get $rem) (i32.const 0x80))
    (local.set $at (select (i32.const 2360) (i32.const 2424) (i32.lt_u (local.get $rem) (i32.const 56))))
    (local.set $bits (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 3)))
    (i32.store (local.get $at) (call $bswap (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32)))))
    (i32.store offset=4 (local.get $at) (call $bswap (i32.wrap_i64 (local.get $bits))))
    (call $compress (i32.const 2304))
    (if (i32.ge_u (local.get $rem) (i32.const 56)) (then (call $compress (i32.const 2368))))
    (i32.store (local.get $out) (call $bswap (global.get $h0)))
    (i32.store offset=4 (local.get $out) (call $bswap (global.get $h1)))
    (i32.store offset=8 (local.get $out) (call $bswap (global.get $h2)))
    (i32.store offset=12 (local.get $out) (call $bswap (global.get $h3)))
    (i32.store offset=16 (local.get $out) (call $bswap (global.get $h4)))
    (i32.store offset=20 (local.get $out) (call $bswap (global.get $h5)))
    (i32.store offset=24 (local.get $out) (call $bswap (global.get $h6)))
    (i32.store offset=28 (local.get $out) (call $bswap (global.get $h7))))

  ;; Runs the input's rounds into the digest at 2560.
  (func $run
    (local $n i32) (local $rounds i32) (local $wasm i32)
    (local.set $n (call $input_len))
    (if (i32.or (i32.lt_u (local.get $n) (i32.const 5)) (i32.gt_u (local.get $n) (i32.const 65541)))
      (then (call $revert (i32.const 3072) (i32.const 9)) (unreachable)))
    (call $input_read (i32.const 65536))
    (local.set $rounds (i32.load (i32.const 65537)))
    (local.set $wasm (i32.eq (i32.load8_u (i32.const 65536)) (i32.const 1)))
    (if (i32.or (i32.eqz (local.get $rounds))
                (i32.and (i32.eqz (local.get $wasm)) (i32.ne (i32.load8_u (i32.const 65536)) (i32.const 2))))
      (then (call $revert (i32.const 3072) (i32.const 9)) (unreachable)))
    (if (local.get $wasm)
      (then (call $sha256 (i32.const 65541) (i32.sub (local.get $n) (i32.const 5)) (i32.const 2560)))
      (else (call $host_sha256 (i32.const 65541) (i32.sub (local.get $n) (i32.const 5)) (i32.const 2560))))
    (block $done
      (loop $again
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br_if $done (i32.eqz (local.get $rounds)))
        (if (local.get $wasm)
          (then (call $sha256 (i32.const 2560) (i32.const 32) (i32.const 2560)))
          (else (call $host_sha256 (i32.const 2560) (i32.const 32) (i32.const 2560))))
        (br $again))))

  (func (export "call")
    (call $run)
    (call $storage_set (i32.const 3104) (i32.const 4) (i32.const 2560) (i32.const 32))
    (call $return_value (i32.const 2560) (i32.const 32)))

  (func (export "query")
    (call $run)
    (call $return_value (i32.const 2560) (i32.const 32)))
)
