package paas

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"time"
)

// toValue turns parameter structs into maps before kolo/xmlrpc sees them:
// kolo writes member names unescaped, and the doc's filters are named
// "<date_end", ">size" and "~name". Fields tagged omitempty are left out
// when zero (a nil pointer sends an explicit false or 0).
func toValue(v any) any {
	return convert(reflect.ValueOf(v))
}

var timeType = reflect.TypeFor[time.Time]()

func convert(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface()
		}
		return convertStruct(v)
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = convert(v.Index(i))
		}
		return out
	case reflect.String:
		// Drops named string types (gandi.Secret) to plain strings.
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	default:
		return v.Interface()
	}
}

func convertStruct(v reflect.Value) map[string]any {
	m := map[string]any{}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("xmlrpc")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if opts == "omitempty" && (fv.IsZero() || (fv.Kind() == reflect.Slice && fv.Len() == 0)) {
			continue
		}
		if f.Anonymous && fv.Kind() == reflect.Struct {
			for k, x := range convert(fv).(map[string]any) {
				m[k] = x
			}
			continue
		}
		m[escape(name)] = convert(fv)
	}
	return m
}

func escape(name string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(name))
	return b.String()
}
