package gandisim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The XML-RPC codec is the simulator's own (encoding/xml only), so that the
// client's library cannot mirror a mistake of its own here.

// xmlrpcTime is the dateTime.iso8601 layout Gandi's v3 API answers with
// (no zone: the simulator's times are UTC).
const xmlrpcTime = "20060102T15:04:05"

type xnode struct {
	XMLName  xml.Name
	Content  string  `xml:",chardata"`
	Children []xnode `xml:",any"`
}

func (n *xnode) child(name string) *xnode {
	for i := range n.Children {
		if n.Children[i].XMLName.Local == name {
			return &n.Children[i]
		}
	}
	return nil
}

// parseMethodCall decodes a methodCall into its method name and parameters
// (string, int64, bool, float64, time.Time, []any, map[string]any, nil).
func parseMethodCall(body []byte) (string, []any, error) {
	var root xnode
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&root); err != nil {
		return "", nil, err
	}
	if root.XMLName.Local != "methodCall" {
		return "", nil, errors.New("not a methodCall")
	}
	mn := root.child("methodName")
	if mn == nil || strings.TrimSpace(mn.Content) == "" {
		return "", nil, errors.New("no methodName")
	}
	var params []any
	if ps := root.child("params"); ps != nil {
		for _, p := range ps.Children {
			v := p.child("value")
			if p.XMLName.Local != "param" || v == nil {
				return "", nil, errors.New("malformed param")
			}
			x, err := parseValue(v)
			if err != nil {
				return "", nil, err
			}
			params = append(params, x)
		}
	}
	return strings.TrimSpace(mn.Content), params, nil
}

func parseValue(v *xnode) (any, error) {
	if len(v.Children) == 0 {
		return v.Content, nil // untyped is a string
	}
	if len(v.Children) > 1 {
		return nil, errors.New("value with several types")
	}
	t := &v.Children[0]
	switch t.XMLName.Local {
	case "int", "i4", "i8":
		return strconv.ParseInt(strings.TrimSpace(t.Content), 10, 64)
	case "boolean":
		return parseBool(t.Content)
	case "string", "base64":
		return t.Content, nil
	case "double":
		return strconv.ParseFloat(strings.TrimSpace(t.Content), 64)
	case "dateTime.iso8601":
		return time.Parse(xmlrpcTime, strings.TrimSpace(t.Content))
	case "nil":
		return nil, nil
	case "array":
		return parseArray(t)
	case "struct":
		return parseStruct(t)
	}
	return nil, fmt.Errorf("unknown type %q", t.XMLName.Local)
}

func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, fmt.Errorf("boolean %q", s)
}

func parseArray(t *xnode) ([]any, error) {
	out := []any{}
	if data := t.child("data"); data != nil {
		for i := range data.Children {
			x, err := parseValue(&data.Children[i])
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
	}
	return out, nil
}

func parseStruct(t *xnode) (map[string]any, error) {
	out := map[string]any{}
	for _, m := range t.Children {
		name, val := m.child("name"), m.child("value")
		if m.XMLName.Local != "member" || name == nil || val == nil {
			return nil, errors.New("malformed member")
		}
		x, err := parseValue(val)
		if err != nil {
			return nil, err
		}
		out[name.Content] = x
	}
	return out, nil
}

// encodeResponse renders v as a methodResponse. Nil members are left out:
// the doc never shows a nil.
func encodeResponse(v any) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodResponse><params><param>`)
	writeValue(&b, v)
	b.WriteString(`</param></params></methodResponse>`)
	return b.Bytes()
}

func encodeFault(code int, msg string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodResponse><fault>`)
	writeValue(&b, map[string]any{"faultCode": code, "faultString": msg})
	b.WriteString(`</fault></methodResponse>`)
	return b.Bytes()
}

func writeValue(b *bytes.Buffer, v any) {
	b.WriteString("<value>")
	switch x := v.(type) {
	case int:
		fmt.Fprintf(b, "<int>%d</int>", x)
	case int64:
		fmt.Fprintf(b, "<int>%d</int>", x)
	case bool:
		if x {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case string:
		b.WriteString("<string>")
		_ = xml.EscapeText(b, []byte(x))
		b.WriteString("</string>")
	case time.Time:
		fmt.Fprintf(b, "<dateTime.iso8601>%s</dateTime.iso8601>", x.UTC().Format(xmlrpcTime))
	case []any:
		b.WriteString("<array><data>")
		for _, e := range x {
			writeValue(b, e)
		}
		b.WriteString("</data></array>")
	case []map[string]any:
		b.WriteString("<array><data>")
		for _, e := range x {
			writeValue(b, e)
		}
		b.WriteString("</data></array>")
	case map[string]any:
		b.WriteString("<struct>")
		keys := make([]string, 0, len(x))
		for k, e := range x {
			if e != nil {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			b.WriteString("<member><name>")
			_ = xml.EscapeText(b, []byte(k))
			b.WriteString("</name>")
			writeValue(b, x[k])
			b.WriteString("</member>")
		}
		b.WriteString("</struct>")
	default:
		panic(fmt.Sprintf("gandisim: cannot encode %T as XML-RPC", v))
	}
	b.WriteString("</value>")
}
