// Declarations of the standard-library API the analysis knows about, as Go source without
// bodies. They give the checker real signatures (so `fmt.Println(x)` boxes `x` into the `...any`
// slice, `sync.Mutex.Lock` takes `&mu`); what each parameter leaks comes from the Go 1.19
// summaries in go1.19-escape-stdlib.json (stdlib-tags.ts), and a stubbed function without a
// summary is treated like any body-less function: its pointer parameters leak to the heap.
// Names and signatures are Go's public API; nothing else of the library is modelled.

const stubs: Record<string, string> = {
  fmt: `package fmt
import "io"
type Stringer interface { String() string }
func Println(a ...any) (n int, err error)
func Printf(format string, a ...any) (n int, err error)
func Print(a ...any) (n int, err error)
func Sprintf(format string, a ...any) string
func Sprint(a ...any) string
func Sprintln(a ...any) string
func Errorf(format string, a ...any) error
func Fprintf(w io.Writer, format string, a ...any) (n int, err error)
func Fprintln(w io.Writer, a ...any) (n int, err error)
func Fprint(w io.Writer, a ...any) (n int, err error)
func Sscanf(str string, format string, a ...any) (n int, err error)
`,
  io: `package io
type Writer interface { Write(p []byte) (n int, err error) }
type Reader interface { Read(p []byte) (n int, err error) }
type Closer interface { Close() error }
type ReadWriter interface { Reader; Writer }
type ReadCloser interface { Reader; Closer }
type WriteCloser interface { Writer; Closer }
var EOF error
func WriteString(w Writer, s string) (n int, err error)
func ReadAll(r Reader) ([]byte, error)
func Copy(dst Writer, src Reader) (written int64, err error)
func ReadFull(r Reader, buf []byte) (n int, err error)
`,
  errors: `package errors
func New(text string) error
func Is(err, target error) bool
func As(err error, target any) bool
func Unwrap(err error) error
`,
  strings: `package strings
type Builder struct { addr *Builder; buf []byte }
type Reader struct { s string; i int64; prevRune int }
func Join(elems []string, sep string) string
func Split(s, sep string) []string
func Fields(s string) []string
func Contains(s, substr string) bool
func Index(s, substr string) int
func HasPrefix(s, prefix string) bool
func HasSuffix(s, suffix string) bool
func TrimSpace(s string) string
func TrimPrefix(s, prefix string) string
func Replace(s, old, new string, n int) string
func ReplaceAll(s, old, new string) string
func ToUpper(s string) string
func ToLower(s string) string
func Repeat(s string, count int) string
func EqualFold(s, t string) bool
func Cut(s, sep string) (before, after string, found bool)
func NewReader(s string) *Reader
func (b *Builder) WriteString(s string) (int, error)
func (b *Builder) WriteByte(c byte) error
func (b *Builder) WriteRune(r rune) (int, error)
func (b *Builder) Write(p []byte) (int, error)
func (b *Builder) String() string
func (b *Builder) Len() int
func (b *Builder) Grow(n int)
func (b *Builder) Reset()
`,
  strconv: `package strconv
func Itoa(i int) string
func Atoi(s string) (int, error)
func ParseInt(s string, base int, bitSize int) (i int64, err error)
func ParseFloat(s string, bitSize int) (float64, error)
func FormatInt(i int64, base int) string
func Quote(s string) string
func AppendInt(dst []byte, i int64, base int) []byte
`,
  bytes: `package bytes
type Buffer struct { buf []byte; off int; lastRead int8 }
func NewBuffer(buf []byte) *Buffer
func NewBufferString(s string) *Buffer
func (b *Buffer) Write(p []byte) (n int, err error)
func (b *Buffer) WriteString(s string) (n int, err error)
func (b *Buffer) WriteByte(c byte) error
func (b *Buffer) String() string
func (b *Buffer) Bytes() []byte
func Equal(a, b []byte) bool
func Contains(b, subslice []byte) bool
`,
  sort: `package sort
type Interface interface { Len() int; Less(i, j int) bool; Swap(i, j int) }
func Slice(x any, less func(i, j int) bool)
func SliceStable(x any, less func(i, j int) bool)
func Ints(x []int)
func Strings(x []string)
func Sort(data Interface)
func Search(n int, f func(int) bool) int
`,
  sync: `package sync
type Mutex struct { state int32; sema uint32 }
type RWMutex struct { w Mutex; writerSem uint32; readerSem uint32; readerCount int32; readerWait int32 }
type WaitGroup struct { noCopy [0]int; state1 uint64; state2 uint32 }
type Once struct { done uint32; m Mutex }
type Pool struct { noCopy [0]int; local *int; localSize uintptr; victim *int; victimSize uintptr; New func() any }
type Map struct { mu Mutex; read *int; dirty map[any]*int; misses int }
type Locker interface { Lock(); Unlock() }
func (m *Mutex) Lock()
func (m *Mutex) Unlock()
func (rw *RWMutex) Lock()
func (rw *RWMutex) Unlock()
func (rw *RWMutex) RLock()
func (rw *RWMutex) RUnlock()
func (wg *WaitGroup) Add(delta int)
func (wg *WaitGroup) Done()
func (wg *WaitGroup) Wait()
func (o *Once) Do(f func())
func (p *Pool) Get() any
func (p *Pool) Put(x any)
func (m *Map) Load(key any) (value any, ok bool)
func (m *Map) Store(key, value any)
`,
  'sync/atomic': `package atomic
import "unsafe"
type Value struct { v any }
func AddInt32(addr *int32, delta int32) (new int32)
func AddInt64(addr *int64, delta int64) (new int64)
func AddUint32(addr *uint32, delta uint32) (new uint32)
func AddUint64(addr *uint64, delta uint64) (new uint64)
func LoadInt32(addr *int32) (val int32)
func LoadInt64(addr *int64) (val int64)
func LoadUint32(addr *uint32) (val uint32)
func LoadUint64(addr *uint64) (val uint64)
func StoreInt32(addr *int32, val int32)
func StoreInt64(addr *int64, val int64)
func StoreUint32(addr *uint32, val uint32)
func CompareAndSwapInt32(addr *int32, old, new int32) (swapped bool)
func CompareAndSwapInt64(addr *int64, old, new int64) (swapped bool)
func LoadPointer(addr *unsafe.Pointer) (val unsafe.Pointer)
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer)
func SwapPointer(addr *unsafe.Pointer, new unsafe.Pointer) (old unsafe.Pointer)
func CompareAndSwapPointer(addr *unsafe.Pointer, old, new unsafe.Pointer) (swapped bool)
func (v *Value) Load() (val any)
func (v *Value) Store(val any)
`,
  'runtime/internal/atomic': `package atomic
import "unsafe"
//go:noescape
func Loadp(ptr unsafe.Pointer) unsafe.Pointer
func StorepNoWB(ptr unsafe.Pointer, val unsafe.Pointer)
func Casp1(ptr *unsafe.Pointer, old, new unsafe.Pointer) bool
`,
  os: `package os
type File struct { file *int }
var Args []string
var Stdout *File
var Stderr *File
var Stdin *File
func Getenv(key string) string
func Exit(code int)
func Open(name string) (*File, error)
func ReadFile(name string) ([]byte, error)
func WriteFile(name string, data []byte, perm uint32) error
func (f *File) Write(b []byte) (n int, err error)
func (f *File) WriteString(s string) (n int, err error)
func (f *File) Close() error
`,
  bufio: `package bufio
import "io"
type Reader struct { buf []byte; rd io.Reader }
type Writer struct { err error; buf []byte; n int; wr io.Writer }
type Scanner struct { r io.Reader; token []byte; buf []byte }
func NewReader(rd io.Reader) *Reader
func NewWriter(w io.Writer) *Writer
func NewScanner(r io.Reader) *Scanner
func (s *Scanner) Scan() bool
func (s *Scanner) Text() string
func (s *Scanner) Bytes() []byte
func (b *Writer) WriteString(s string) (int, error)
func (b *Writer) Flush() error
`,
  time: `package time
type Duration int64
type Time struct { wall uint64; ext int64; loc *int }
const Nanosecond Duration = 1
const Microsecond = 1000 * Nanosecond
const Millisecond = 1000 * Microsecond
const Second = 1000 * Millisecond
func Now() Time
func Since(t Time) Duration
func Sleep(d Duration)
func (t Time) Sub(u Time) Duration
func (t Time) Format(layout string) string
`,
  'encoding/json': `package json
import "io"
type Encoder struct { w io.Writer }
type Decoder struct { r io.Reader }
func Marshal(v any) ([]byte, error)
func Unmarshal(data []byte, v any) error
func MarshalIndent(v any, prefix, indent string) ([]byte, error)
func NewEncoder(w io.Writer) *Encoder
func (enc *Encoder) Encode(v any) error
func NewDecoder(r io.Reader) *Decoder
func (dec *Decoder) Decode(v any) error
`,
  reflect: `package reflect
import "unsafe"
type Type interface { Name() string; String() string }
type Value struct { typ *int; ptr unsafe.Pointer; flag uintptr }
type SliceHeader struct { Data uintptr; Len int; Cap int }
type StringHeader struct { Data uintptr; Len int }
func TypeOf(i any) Type
func ValueOf(i any) Value
func DeepEqual(x, y any) bool
func (v Value) Interface() (i any)
func (v Value) Int() int64
func (v Value) Pointer() uintptr
func (v Value) UnsafeAddr() uintptr
func (v Value) Elem() Value
`,
  context: `package context
type Context interface { Done() <-chan struct{}; Err() error; Value(key any) any }
type CancelFunc func()
func Background() Context
func WithCancel(parent Context) (ctx Context, cancel CancelFunc)
func WithValue(parent Context, key, val any) Context
`,
  'unicode/utf8': `package utf8
const RuneError = '\\uFFFD'
const UTFMax = 4
func DecodeRuneInString(s string) (rune, int)
func RuneLen(r rune) int
func EncodeRune(p []byte, r rune) int
func RuneCountInString(s string) (n int)
func ValidString(s string) bool
`,
  'math/rand': `package rand
func Intn(n int) int
func Shuffle(n int, swap func(i, j int))
`,
  'hash/maphash': `package maphash
type Seed struct { s uint64 }
type Hash struct { _ [0]int; seed Seed; state Seed; buf [128]byte; n int }
func (h *Hash) WriteString(s string) (int, error)
func (h *Hash) Sum64() uint64
`,
  runtime: `package runtime
func KeepAlive(x any)
func GC()
func Gosched()
`,
};

export function stubSource(path: string): string | undefined {
  return stubs[path];
}
