package testutil

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrNotFaked is what a fake's method answers when the test gave it no
// function: the test did not expect that call.
var ErrNotFaked = errors.New("call not faked")

// Fn returns fn, or when it is nil a function of the same type that
// answers zero values and an error wrapping ErrNotFaked naming method. It
// is the body of every method of the function-field fakes (gandimock,
// storemock): fn's type must return an error last.
func Fn[F any](fn F, method string) F {
	v := reflect.ValueOf(&fn).Elem()
	if !v.IsNil() {
		return fn
	}
	t := v.Type()
	return reflect.MakeFunc(t, func([]reflect.Value) []reflect.Value {
		out := make([]reflect.Value, t.NumOut())
		for i := range out {
			out[i] = reflect.Zero(t.Out(i))
		}
		out[len(out)-1] = reflect.ValueOf(fmt.Errorf("%w: %s", ErrNotFaked, method))
		return out
	}).Interface().(F)
}
