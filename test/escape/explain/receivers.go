package p

import "bytes"

var sink interface{}

type T struct{ s string }

func (t *T) Name() string { return t.s }

type U struct{ T }

func f(u U, b bytes.Buffer) {
	sink = u.Name()
	sink = b.String()
}
