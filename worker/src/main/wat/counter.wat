;; Counter: the smallest useful Cloister contract.
;;
;; init  input: nothing (start at 0) or an i64 little-endian start value.
;; call  input: nothing (add 1) or an i64 little-endian amount to add (may be negative).
;;       Output: the new value (i64 LE). Emits a public event with the new value.
;;       Reverts with "bad input" on any other input length, "overflow" if the sum overflows.
;; query input: ignored. Output: the current value (i64 LE), 0 before init.
;;
;; State: key "count" -> i64 LE.
(module
  (import "cloister" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "cloister" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "cloister" "input_len" (func $input_len (result i32)))
  (import "cloister" "input_read" (func $input_read (param i32)))
  (import "cloister" "emit_event" (func $emit_event (param i32 i32 i32)))
  (import "cloister" "return_value" (func $return_value (param i32 i32)))
  (import "cloister" "revert" (func $revert (param i32 i32)))

  ;; Memory map: 0 key "count" | 16 value buffer (8) | 64 input (8) | 128 messages
  (memory (export "memory") 1)
  (data (i32.const 0) "count")
  (data (i32.const 128) "bad input")
  (data (i32.const 144) "overflow")

  (func $load (result i64)
    (if (i32.eq (call $storage_get (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8)) (i32.const 8))
      (then (return (i64.load (i32.const 16)))))
    (i64.const 0))

  (func $store (param $value i64)
    (i64.store (i32.const 16) (local.get $value))
    (call $storage_set (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8)))

  ;; The input as an i64: 1 if empty; reverts unless it is 0 or 8 bytes.
  (func $input_i64 (param $default i64) (result i64)
    (local $n i32)
    (local.set $n (call $input_len))
    (if (i32.eqz (local.get $n)) (then (return (local.get $default))))
    (if (i32.ne (local.get $n) (i32.const 8))
      (then (call $revert (i32.const 128) (i32.const 9)) (unreachable)))
    (call $input_read (i32.const 64))
    (i64.load (i32.const 64)))

  (func (export "init")
    (call $store (call $input_i64 (i64.const 0))))

  (func (export "call")
    (local $old i64) (local $amount i64) (local $new i64)
    (local.set $amount (call $input_i64 (i64.const 1)))
    (local.set $old (call $load))
    (local.set $new (i64.add (local.get $old) (local.get $amount)))
    ;; signed overflow: both operands' signs differ from the result's
    (if (i64.lt_s (i64.and (i64.xor (local.get $old) (local.get $new))
                           (i64.xor (local.get $amount) (local.get $new)))
                  (i64.const 0))
      (then (call $revert (i32.const 144) (i32.const 8)) (unreachable)))
    (call $store (local.get $new))
    (call $emit_event (i32.const 16) (i32.const 8) (i32.const 1))
    (call $return_value (i32.const 16) (i32.const 8)))

  (func (export "query")
    (i64.store (i32.const 16) (call $load))
    (call $return_value (i32.const 16) (i32.const 8)))
)
