package p

var bsink []byte

func makeN(n int) int {
	s := make([]int, n)
	return len(s)
}

func makeConst() int {
	s := make([]int, 16)
	return len(s)
}

const size = 32

func makeNamedConst() int {
	s := make([]byte, size)
	return len(s)
}

func tooBig() int {
	s := make([]byte, 1<<20)
	return len(s)
}

func bigVar() int {
	var a [11 << 20]byte
	return len(a)
}

func bigNew() *[100000]int {
	return new([100000]int)
}

func grow(xs []*int, v int) []*int {
	return append(xs, &v)
}

func appendTo(b []byte, s string) {
	bsink = append(b, s...)
}

func smallNew() int {
	p := new([64]byte)
	return len(p)
}
