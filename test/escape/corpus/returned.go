package p

type T struct {
	a, b *int
	n    int
}

func newInt() *int {
	x := 42
	return &x
}

func newT() *T {
	return &T{n: 1}
}

func identity(p *int) *int {
	return p
}

func second(p, q *int) (*int, *int) {
	return q, p
}

func deref(pp **int) *int {
	return *pp
}

func field(t *T) *int {
	return t.a
}

func local() int {
	t := T{n: 3}
	p := &t
	return p.n
}

func named() (r *T) {
	r = new(T)
	return
}
