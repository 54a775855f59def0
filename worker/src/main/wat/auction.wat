;; Sealed-bid auction (first price): bids stay inside the enclave until the owner closes the auction; then only the
;; winner and the winning price can be read. Nobody, the owner included, can read anyone else's bid.
;;
;; init  input: ignored. The caller becomes the owner; the auction opens.
;; call  input: 0x01 ‖ amount (i64 LE, > 0)   bid; one bid per account; the highest bid wins, the first on a tie.
;;              Emits a private event (bidder ‖ amount), encrypted to the contract key.
;;              0x02                        close (owner only). Emits a public event "closed" ‖ winner ‖ price
;;                                          ("closed" alone if nobody bid).
;; query input: 0x01   result: winner (32 bytes) ‖ price (i64 LE); reverts while the auction is open.
;;              0x02   the caller's own bid (i64 LE).
;;              0x03   status: open (1 byte) ‖ number of bids (u32 LE).
;;
;; State: "owner" -> 32 bytes; "open" -> 1 byte; "count" -> u32 LE; "best" -> bidder ‖ amount;
;;        "bid:" ‖ bidder -> amount (i64 LE).
(module
  (import "cloister" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "cloister" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "cloister" "input_len" (func $input_len (result i32)))
  (import "cloister" "input_read" (func $input_read (param i32)))
  (import "cloister" "caller" (func $caller (param i32)))
  (import "cloister" "emit_event" (func $emit_event (param i32 i32 i32)))
  (import "cloister" "return_value" (func $return_value (param i32 i32)))
  (import "cloister" "revert" (func $revert (param i32 i32)))

  ;; Memory map: 0 key being built (36) | 64 caller (32) | 96 owner (32) | 128 best: bidder ‖ amount (40)
  ;;             192 a bid (8) | 200 open flag (1) | 204 count (4) | 208 status (5) | 256 input (256)
  ;;             512 event (46) | 1024 constant strings, one per 32 bytes
  (memory (export "memory") 1)
  (data (i32.const 1024) "owner")
  (data (i32.const 1056) "open")
  (data (i32.const 1088) "best")
  (data (i32.const 1120) "count")
  (data (i32.const 1152) "bid:")
  (data (i32.const 1184) "bad input")
  (data (i32.const 1216) "the auction is closed")
  (data (i32.const 1248) "a bid must be positive")
  (data (i32.const 1280) "you have already bid")
  (data (i32.const 1312) "only the owner can close")
  (data (i32.const 1344) "the auction is still open")
  (data (i32.const 1376) "no bids")
  (data (i32.const 1408) "you have not bid")
  (data (i32.const 1440) "closed")

  (func $fail (param $msg i32) (param $len i32)
    (call $revert (local.get $msg) (local.get $len))
    (unreachable))

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

  ;; Reads the input to 256; reverts if it is longer than 256 bytes. Returns its length.
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

  (func $bid_count (result i32)
    (if (result i32) (i32.eq (call $storage_get (i32.const 1120) (i32.const 5) (i32.const 204) (i32.const 4)) (i32.const 4))
      (then (i32.load (i32.const 204)))
      (else (i32.const 0))))

  ;; Builds the key "bid:" ‖ caller at 0 (36 bytes) and leaves the caller at 64.
  (func $bid_key
    (call $caller (i32.const 64))
    (i32.store (i32.const 0) (i32.load (i32.const 1152)))
    (call $copy32 (i32.const 4) (i32.const 64)))

  (func (export "init")
    (call $caller (i32.const 96))
    (call $storage_set (i32.const 1024) (i32.const 5) (i32.const 96) (i32.const 32))
    (i32.store8 (i32.const 200) (i32.const 1))
    (call $storage_set (i32.const 1056) (i32.const 4) (i32.const 200) (i32.const 1))
    (i32.store (i32.const 204) (i32.const 0))
    (call $storage_set (i32.const 1120) (i32.const 5) (i32.const 204) (i32.const 4)))

  (func $bid (param $n i32)
    (local $amount i64)
    (if (i32.ne (local.get $n) (i32.const 9)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (if (i32.eqz (call $is_open)) (then (call $fail (i32.const 1216) (i32.const 21))))
    (local.set $amount (i64.load (i32.const 257)))
    (if (i64.le_s (local.get $amount) (i64.const 0)) (then (call $fail (i32.const 1248) (i32.const 22))))
    (call $bid_key)
    (if (i32.ne (call $storage_get (i32.const 0) (i32.const 36) (i32.const 192) (i32.const 8)) (i32.const -1))
      (then (call $fail (i32.const 1280) (i32.const 20))))
    (i64.store (i32.const 192) (local.get $amount))
    (call $storage_set (i32.const 0) (i32.const 36) (i32.const 192) (i32.const 8))
    (i32.store (i32.const 204) (i32.add (call $bid_count) (i32.const 1)))
    (call $storage_set (i32.const 1120) (i32.const 5) (i32.const 204) (i32.const 4))
    (if (i32.or (i32.ne (call $storage_get (i32.const 1088) (i32.const 4) (i32.const 128) (i32.const 40)) (i32.const 40))
                (i64.gt_s (local.get $amount) (i64.load (i32.const 160))))
      (then
        (call $copy32 (i32.const 128) (i32.const 64))
        (i64.store (i32.const 160) (local.get $amount))
        (call $storage_set (i32.const 1088) (i32.const 4) (i32.const 128) (i32.const 40))))
    (call $copy32 (i32.const 512) (i32.const 64))
    (i64.store (i32.const 544) (local.get $amount))
    (call $emit_event (i32.const 512) (i32.const 40) (i32.const 0)))

  (func $close (param $n i32)
    (if (i32.ne (local.get $n) (i32.const 1)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (call $caller (i32.const 64))
    (drop (call $storage_get (i32.const 1024) (i32.const 5) (i32.const 96) (i32.const 32)))
    (if (i32.eqz (call $eq32 (i32.const 64) (i32.const 96))) (then (call $fail (i32.const 1312) (i32.const 24))))
    (if (i32.eqz (call $is_open)) (then (call $fail (i32.const 1216) (i32.const 21))))
    (i32.store8 (i32.const 200) (i32.const 0))
    (call $storage_set (i32.const 1056) (i32.const 4) (i32.const 200) (i32.const 1))
    (i32.store (i32.const 512) (i32.load (i32.const 1440)))
    (i32.store16 (i32.const 516) (i32.load16_u (i32.const 1444)))
    (if (i32.eq (call $storage_get (i32.const 1088) (i32.const 4) (i32.const 518) (i32.const 40)) (i32.const 40))
      (then (call $emit_event (i32.const 512) (i32.const 46) (i32.const 1)))
      (else (call $emit_event (i32.const 512) (i32.const 6) (i32.const 1)))))

  (func (export "call")
    (local $n i32)
    (local.set $n (call $read_input))
    (if (i32.eqz (local.get $n)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (block $done
      (block $unknown
        (block $close_op
          (block $bid_op
            (br_table $unknown $bid_op $close_op $unknown (i32.load8_u (i32.const 256))))
          (call $bid (local.get $n))
          (br $done))
        (call $close (local.get $n))
        (br $done))
      (call $fail (i32.const 1184) (i32.const 9))))

  (func (export "query")
    (local $op i32)
    (if (i32.ne (call $read_input) (i32.const 1)) (then (call $fail (i32.const 1184) (i32.const 9))))
    (local.set $op (i32.load8_u (i32.const 256)))
    (if (i32.eq (local.get $op) (i32.const 1))
      (then
        (if (call $is_open) (then (call $fail (i32.const 1344) (i32.const 25))))
        (if (i32.ne (call $storage_get (i32.const 1088) (i32.const 4) (i32.const 128) (i32.const 40)) (i32.const 40))
          (then (call $fail (i32.const 1376) (i32.const 7))))
        (call $return_value (i32.const 128) (i32.const 40))
        (return)))
    (if (i32.eq (local.get $op) (i32.const 2))
      (then
        (call $bid_key)
        (if (i32.ne (call $storage_get (i32.const 0) (i32.const 36) (i32.const 192) (i32.const 8)) (i32.const 8))
          (then (call $fail (i32.const 1408) (i32.const 16))))
        (call $return_value (i32.const 192) (i32.const 8))
        (return)))
    (if (i32.eq (local.get $op) (i32.const 3))
      (then
        (i32.store8 (i32.const 208) (call $is_open))
        (i32.store (i32.const 209) (call $bid_count))
        (call $return_value (i32.const 208) (i32.const 5))
        (return)))
    (call $fail (i32.const 1184) (i32.const 9)))
)
