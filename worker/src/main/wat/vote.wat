;; Private vote: each account votes once for one option; how anyone voted stays inside the enclave, and the tallies
;; are readable only after the owner closes the vote (so running totals cannot sway late voters).
;;
;; init  input: the number of options, 1 byte (1..255). The caller becomes the owner; voting opens.
;; call  input: 0x01 ‖ option (1 byte)   vote; one vote per account. Emits a public event "voted" (no content).
;;              0x02                     close (owner only). Emits a public event "closed".
;; query input: 0x01   results: one i64 LE tally per option; reverts while voting is open.
;;              0x02   the caller's own vote (1 byte).
;;              0x03   status: open (1 byte) ‖ number of options (1 byte).
;;
;; State: "owner" -> 32 bytes; "open" -> 1 byte; "options" -> 1 byte; "voted:" ‖ voter -> option;
;;        "tally:" ‖ option -> i64 LE.
(module
  (import "cloister" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "cloister" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "cloister" "input_len" (func $input_len (result i32)))
  (import "cloister" "input_read" (func $input_read (param i32)))
  (import "cloister" "caller" (func $caller (param i32)))
  (import "cloister" "emit_event" (func $emit_event (param i32 i32 i32)))
  (import "cloister" "return_value" (func $return_value (param i32 i32)))
  (import "cloister" "revert" (func $revert (param i32 i32)))

  ;; Memory map: 0 "voted:" ‖ caller key (38) | 40 "tally:" ‖ option key (7) | 64 caller | 96 owner
  ;;             128 vote (1) | 136 tally (8) | 200 open flag | 201 options | 208 status (2) | 256 input (256)
  ;;             1024 constant strings, one per 32 bytes | 8192 results (255 × 8)
  (memory (export "memory") 1)
  (data (i32.const 1024) "owner")
  (data (i32.const 1056) "open")
  (data (i32.const 1088) "options")
  (data (i32.const 1120) "voted:")
  (data (i32.const 1152) "tally:")
  (data (i32.const 1184) "bad input")
  (data (i32.const 1216) "voting is closed")
  (data (i32.const 1248) "no such option")
  (data (i32.const 1280) "you have already voted")
  (data (i32.const 1312) "only the owner can close")
  (data (i32.const 1344) "voting is still open")
  (data (i32.const 1376) "you have not voted")
  (data (i32.const 1408) "need 1 to 255 options")
  (data (i32.const 1440) "voted")
  (data (i32.const 1472) "closed")

  (func $fail (param $msg i32) (param $len i32)
    (call $revert (local.get $msg) (local.get $len))
    (unreachable))

  (func $copy6 (param $dst i32) (param $src i32)
    (i32.store (local.get $dst) (i32.load (local.get $src)))
    (i32.store16 offset=4 (local.get $dst) (i32.load16_u offset=4 (local.get $src))))

  (func $copy32 (param $dst i32) (param $src i32)
    (i64.store (local.get $dst) (i64.load (local.get $src)))
    (i64.store offset=8 (local.get $dst) (i64.load offset=8 (local.get $src)))
    (i64.store offset=16 (local.get $dst) (i64.load offset=16 (local.get $src)))
    (i64.store offset=24 (local.get $dst) (i64.load offset=24 (local.get $src))))

  (func $eq32 (param $a i32) (param $b i32) (result i32)
    (i32.and
      (i32.and (i64.eq (i64.load (local.get $a)) (i64.load (local.get $b)))
               (i64.eq (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $b))))
      (i32.and (i64.eq (i64.load offset=16 (local.get $a)) (i64.load offset=16 (local.get $b)))
               (i64.eq (i64.load offset=24 (local.get $a)) (i64.load offset=24 (local.get $b))))))

  (func $read_input (result i32)
    (local $n i32)
    (local.set $n (call $input_len))
    (if (i32.gt_u (local.get $n) (i32.const 256)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (call $input_read (i32.const 256))
    (local.get $n))

  (func $is_open (result i32)
    (if (result i32) (i32.eq (call $storage_get (i32.const 1056) (i32.const 4) (i32.const 200) (i32.const 1)) (i32.const 1))
      (then (i32.load8_u (i32.const 200)))
      (else (i32.const 0))))

  (func $options (result i32)
    (if (result i32) (i32.eq (call $storage_get (i32.const 1088) (i32.const 7) (i32.const 201) (i32.const 1)) (i32.const 1))
      (then (i32.load8_u (i32.const 201)))
      (else (i32.const 0))))

  ;; Builds "voted:" ‖ caller at 0 (38 bytes), leaving the caller at 64.
  (func $voted_key
    (call $caller (i32.const 64))
    (call $copy6 (i32.const 0) (i32.const 1120))
    (call $copy32 (i32.const 6) (i32.const 64)))

  ;; Builds "tally:" ‖ option at 40 (7 bytes) and returns the tally.
  (func $tally (param $option i32) (result i64)
    (call $copy6 (i32.const 40) (i32.const 1152))
    (i32.store8 (i32.const 46) (local.get $option))
    (if (result i64) (i32.eq (call $storage_get (i32.const 40) (i32.const 7) (i32.const 136) (i32.const 8)) (i32.const 8))
      (then (i64.load (i32.const 136)))
      (else (i64.const 0))))

  (func (export "init")
    (local $n i32)
    (if (i32.ne (call $read_input) (i32.const 1)) (then (call $fail (i32.const 1408) (i32.const 21))))
    (local.set $n (i32.load8_u (i32.const 256)))
    (if (i32.eqz (local.get $n)) (then (call $fail (i32.const 1408) (i32.const 21))))
    (call $caller (i32.const 96))
    (call $storage_set (i32.const 1024) (i32.const 5) (i32.const 96) (i32.const 32))
    (i32.store8 (i32.const 200) (i32.const 1))
    (call $storage_set (i32.const 1056) (i32.const 4) (i32.const 200) (i32.const 1))
    (call $storage_set (i32.const 1088) (i32.const 7) (i32.const 256) (i32.const 1)))

  (func $vote (param $n i32)
    (local $option i32)
    (if (i32.ne (local.get $n) (i32.const 2)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (if (i32.eqz (call $is_open)) (then (call $fail (i32.const 1216) (i32.const 16))))
    (local.set $option (i32.load8_u (i32.const 257)))
    (if (i32.ge_u (local.get $option) (call $options)) (then (call $fail (i32.const 1248) (i32.const 14))))
    (call $voted_key)
    (if (i32.ne (call $storage_get (i32.const 0) (i32.const 38) (i32.const 128) (i32.const 1)) (i32.const -1))
      (then (call $fail (i32.const 1280) (i32.const 22))))
    (i32.store8 (i32.const 128) (local.get $option))
    (call $storage_set (i32.const 0) (i32.const 38) (i32.const 128) (i32.const 1))
    (i64.store (i32.const 136) (i64.add (call $tally (local.get $option)) (i64.const 1)))
    (call $storage_set (i32.const 40) (i32.const 7) (i32.const 136) (i32.const 8))
    (call $emit_event (i32.const 1440) (i32.const 5) (i32.const 1)))

  (func $close (param $n i32)
    (if (i32.ne (local.get $n) (i32.const 1)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (call $caller (i32.const 64))
    (drop (call $storage_get (i32.const 1024) (i32.const 5) (i32.const 96) (i32.const 32)))
    (if (i32.eqz (call $eq32 (i32.const 64) (i32.const 96))) (then (call $fail (i32.const 1312) (i32.const 24))))
    (if (i32.eqz (call $is_open)) (then (call $fail (i32.const 1216) (i32.const 16))))
    (i32.store8 (i32.const 200) (i32.const 0))
    (call $storage_set (i32.const 1056) (i32.const 4) (i32.const 200) (i32.const 1))
    (call $emit_event (i32.const 1472) (i32.const 6) (i32.const 1)))

  (func (export "call")
    (local $n i32)
    (local.set $n (call $read_input))
    (if (i32.eqz (local.get $n)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (block $done
      (block $unknown
        (block $close_op
          (block $vote_op
            (br_table $unknown $vote_op $close_op $unknown (i32.load8_u (i32.const 256))))
          (call $vote (local.get $n))
          (br $done))
        (call $close (local.get $n))
        (br $done))
      (call $fail (i32.const 1184) (i32.const 9))))

  (func (export "query")
    (local $op i32) (local $options i32) (local $i i32)
    (if (i32.ne (call $read_input) (i32.const 1)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (local.set $op (i32.load8_u (i32.const 256)))
    (if (i32.eq (local.get $op) (i32.const 1))
      (then
        (if (call $is_open) (then (call $fail (i32.const 1344) (i32.const 20))))
        (local.set $options (call $options))
        (block $end
          (loop $each
            (br_if $end (i32.ge_u (local.get $i) (local.get $options)))
            (i64.store (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3)))
                       (call $tally (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $each)))
        (call $return_value (i32.const 8192) (i32.shl (local.get $options) (i32.const 3)))
        (return)))
    (if (i32.eq (local.get $op) (i32.const 2))
      (then
        (call $voted_key)
        (if (i32.ne (call $storage_get (i32.const 0) (i32.const 38) (i32.const 128) (i32.const 1)) (i32.const 1))
          (then (call $fail (i32.const 1376) (i32.const 18))))
        (call $return_value (i32.const 128) (i32.const 1))
        (return)))
    (if (i32.eq (local.get $op) (i32.const 3))
      (then
        (i32.store8 (i32.const 208) (call $is_open))
        (i32.store8 (i32.const 209) (call $options))
        (call $return_value (i32.const 208) (i32.const 2))
        (return)))
    (call $fail (i32.const 1184) (i32.const 9)))
)
