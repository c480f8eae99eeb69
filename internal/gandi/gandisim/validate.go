package gandisim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/net/idna"
)

// Request bodies are decoded into generic maps and checked against a schema
// written from the docs. encoding/json into structs would match field names
// case-insensitively and drop unknown fields, which would let a client's
// misspelt JSON name pass; the simulator must catch it instead.

type kind int

const (
	kString kind = iota
	kBool
	kInt
	kObject
	kArray
	kFree // a free-form object (application parameters, extra_parameters)
)

type spec struct {
	name           string
	kind           kind
	required       bool
	enum           []string
	min, max       int
	hasMin, hasMax bool
	maxItems       int
	fields         []spec
	items          *spec
	check          func(v any) string
}

func str(name string, enum ...string) spec { return spec{name: name, kind: kString, enum: enum} }
func boolean(name string) spec             { return spec{name: name, kind: kBool} }
func integer(name string) spec             { return spec{name: name, kind: kInt} }
func free(name string) spec                { return spec{name: name, kind: kFree} }
func object(name string, fields ...spec) spec {
	return spec{name: name, kind: kObject, fields: fields}
}
func array(name string, item spec) spec { return spec{name: name, kind: kArray, items: &item} }

func (s spec) req() spec { s.required = true; return s }
func (s spec) atLeast(n int) spec {
	s.min, s.hasMin = n, true
	return s
}
func (s spec) between(lo, hi int) spec {
	s.min, s.hasMin, s.max, s.hasMax = lo, true, hi, true
	return s
}
func (s spec) maxN(n int) spec                   { s.maxItems = n; return s }
func (s spec) checked(f func(v any) string) spec { s.check = f; return s }

type validator struct {
	errs []fieldError
}

func (v *validator) add(location, name, description string) {
	v.errs = append(v.errs, fieldError{Location: location, Name: name, Description: description})
}

func (v *validator) body(name, description string) { v.add("body", name, description) }

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (v *validator) object(obj map[string]any, fields []spec, prefix string) {
	known := map[string]bool{}
	for _, f := range fields {
		known[f.name] = true
		val, ok := obj[f.name]
		if !ok {
			if f.required {
				v.body(join(prefix, f.name), "Required")
			}
			continue
		}
		v.value(val, f, join(prefix, f.name))
	}
	var unknown []string
	for k := range obj {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		v.body(join(prefix, k), "Unknown field")
	}
}

func (v *validator) value(val any, f spec, path string) {
	var ok bool
	switch f.kind {
	case kString:
		ok = v.stringValue(val, f, path)
	case kBool:
		_, ok = val.(bool)
		v.unless(ok, path, "Must be a boolean")
	case kInt:
		ok = v.intValue(val, f, path)
	case kObject:
		var m map[string]any
		if m, ok = val.(map[string]any); ok {
			v.object(m, f.fields, path)
		}
		v.unless(ok, path, "Must be an object")
	case kFree:
		_, ok = val.(map[string]any)
		v.unless(ok, path, "Must be an object")
	case kArray:
		ok = v.arrayValue(val, f, path)
	}
	if ok && f.check != nil {
		if msg := f.check(val); msg != "" {
			v.body(path, msg)
		}
	}
}

func (v *validator) unless(ok bool, path, description string) {
	if !ok {
		v.body(path, description)
	}
}

func (v *validator) stringValue(val any, f spec, path string) bool {
	s, ok := val.(string)
	if !ok {
		v.body(path, "Must be a string")
		return false
	}
	if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
		v.body(path, fmt.Sprintf("%q is not one of %s", s, quoteAll(f.enum)))
		return false
	}
	return true
}

func (v *validator) intValue(val any, f spec, path string) bool {
	n, ok := asInt(val)
	switch {
	case !ok:
		v.body(path, "Must be an integer")
	case f.hasMin && n < int64(f.min):
		v.body(path, fmt.Sprintf("%d is less than minimum value %d", n, f.min))
	case f.hasMax && n > int64(f.max):
		v.body(path, fmt.Sprintf("%d is greater than maximum value %d", n, f.max))
	default:
		return true
	}
	return false
}

func (v *validator) arrayValue(val any, f spec, path string) bool {
	items, ok := val.([]any)
	if !ok {
		v.body(path, "Must be an array")
		return false
	}
	if f.maxItems > 0 && len(items) > f.maxItems {
		v.body(path, fmt.Sprintf("Too many items: %d, at most %d allowed", len(items), f.maxItems))
		return false
	}
	for i, it := range items {
		v.value(it, *f.items, path+"."+strconv.Itoa(i))
	}
	return true
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

func asInt(val any) (int64, bool) {
	n, ok := val.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	return i, err == nil
}

// readObject decodes a JSON object body. A non-JSON Content-Type is refused
// (415) because the docs only define application/json bodies; a body that is
// not one JSON object is a validation error.
func (c *call) readObject() (map[string]any, []fieldError, *apiError) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil, []fieldError{{Location: "body", Name: "", Description: "A JSON object is required"}}, nil
	}
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, nil, newError(http.StatusUnsupportedMediaType, "The request body must be application/json.")
	}
	obj, err := decodeObject(c.body)
	if err != nil {
		return nil, []fieldError{{Location: "body", Name: "", Description: "Invalid JSON: " + err.Error()}}, nil
	}
	return obj, nil, nil
}

// bodyCheck adds the rules a schema cannot express. It runs after the schema
// check, on the same validator, so it can look at what the schema found.
type bodyCheck func(v *validator, body map[string]any)

// checkBody reads the JSON object body and checks it against schema, then runs
// checks in order. It returns the body with every field error found (reading
// problems first); e is a failure to answer as is (415).
func (c *call) checkBody(schema []spec, checks ...bodyCheck) (map[string]any, []fieldError, *apiError) {
	body, errs, e := c.readObject()
	if e != nil {
		return nil, nil, e
	}
	if body != nil {
		v := &validator{}
		v.object(body, schema, "")
		for _, check := range checks {
			check(v, body)
		}
		errs = append(errs, v.errs...)
	}
	return body, errs, nil
}

// validBody is checkBody for handlers without a dry run: it answers the
// failure or the 400 itself and then returns false.
func (c *call) validBody(schema []spec, checks ...bodyCheck) (map[string]any, bool) {
	body, errs, e := c.checkBody(schema, checks...)
	if e != nil {
		c.fail(e)
		return nil, false
	}
	if len(errs) > 0 {
		c.invalid(errs)
		return nil, false
	}
	return body, true
}

func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the body must be a JSON object")
	}
	return m, nil
}

// Accessors for maps that already passed validation.

func getStr(m map[string]any, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok
}

func getBool(m map[string]any, k string) (bool, bool) {
	b, ok := m[k].(bool)
	return b, ok
}

func getInt(m map[string]any, k string) (int, bool) {
	n, ok := asInt(m[k])
	return int(n), ok
}

func getObj(m map[string]any, k string) (map[string]any, bool) {
	o, ok := m[k].(map[string]any)
	return o, ok
}

func getArr(m map[string]any, k string) ([]any, bool) {
	a, ok := m[k].([]any)
	return a, ok
}

func strList(items []any) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Checks shared by several schemas.

// hostnameProblem validates an FQDN the way the docs require it on the wire:
// ASCII (Punycode for IDNs), letters, digits and hyphens, at least two labels.
func hostnameProblem(name string) string {
	if !isASCII(name) {
		return "The FQDN must be encoded in ASCII form (Punycode)"
	}
	if len(name) == 0 || len(name) > 253 {
		return "Not a valid host name"
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return "Not a fully qualified domain name"
	}
	for _, l := range labels {
		if msg := labelProblem(l); msg != "" {
			return msg
		}
	}
	return ""
}

func labelProblem(l string) string {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return "Not a valid host name"
	}
	for _, ch := range l {
		if !isAlnum(ch) && ch != '-' {
			return "Not a valid host name"
		}
	}
	if strings.HasPrefix(strings.ToLower(l), "xn--") {
		if _, err := idna.Lookup.ToUnicode(l); err != nil {
			return "Invalid Punycode label " + strconv.Quote(l)
		}
	}
	return ""
}

func isAlnum(ch rune) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
}

func checkHostname(v any) string {
	s, _ := v.(string)
	return hostnameProblem(s)
}

// cryptRE accepts the unix crypt formats the docs name (MD5 $1$, SHA-256 $5$,
// SHA-512 $6$) with their exact hash lengths.
var cryptRE = regexp.MustCompile(`^\$(1|5|6)\$(rounds=[0-9]+\$)?[./0-9A-Za-z]{1,16}\$([./0-9A-Za-z]+)$`)

var cryptHashLen = map[string]int{"1": 22, "5": 43, "6": 86}

// passwordProblem: the docs allow clear text or MD5/SHA-256/SHA-512 crypt. A
// value shaped like another crypt scheme ($2y$, $y$...) is refused rather than
// stored as a clear password nobody could type. The docs give no clear-text
// policy; the simulator asks for 8 to 200 characters.
func passwordProblem(pw string) string {
	if strings.HasPrefix(pw, "$") {
		m := cryptRE.FindStringSubmatch(pw)
		if m == nil || (m[2] != "" && m[1] == "1") || len(m[3]) != cryptHashLen[m[1]] {
			return "Not a valid MD5, SHA-256 or SHA-512 crypt hash"
		}
		return ""
	}
	if n := len([]rune(pw)); n < 8 || n > 200 {
		return "A clear text password must be 8 to 200 characters long"
	}
	return ""
}

func checkPassword(v any) string {
	s, _ := v.(string)
	return passwordProblem(s)
}

func checkUUID(v any) string {
	s, _ := v.(string)
	if _, err := uuid.Parse(s); err != nil || len(s) != 36 {
		return "Not a valid UUID"
	}
	return ""
}

func checkSSHKey(v any) string {
	s, _ := v.(string)
	f := strings.Fields(s)
	if len(f) < 2 || !slices.ContainsFunc([]string{"ssh-", "ecdsa-", "sk-"}, func(p string) bool { return strings.HasPrefix(f[0], p) }) {
		return "Not an SSH public key in OpenSSH format"
	}
	return ""
}

func checkEmail(v any) string {
	s, _ := v.(string)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(s, " \t") {
		return "Not a valid email address"
	}
	return ""
}

func checkCountry(v any) string {
	s, _ := v.(string)
	if len(s) != 2 || strings.ToUpper(s) != s || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return "Not a valid country code (ISO 3166-1 alpha-2, e.g. FR)"
	}
	return ""
}

func checkNonEmpty(v any) string {
	if s, _ := v.(string); strings.TrimSpace(s) == "" {
		return "Must not be empty"
	}
	return ""
}

func checkURL(v any) string {
	s, _ := v.(string)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Not a valid http or https URL"
	}
	return ""
}

// recordNameOK is the docs' record name pattern
//
//	^(?:(?!-)[-_*@a-zA-Z0-9]{1,63}(?<!-)(\.|$))*(?<!\.)$
//
// without the look-arounds RE2 lacks: dot-separated labels of 1 to 63
// characters from [-_*@a-zA-Z0-9], none starting or ending with '-', no
// trailing dot. Like the pattern, it accepts the empty string.
func recordNameOK(name string) bool {
	if name == "" {
		return true
	}
	for _, l := range strings.Split(name, ".") {
		if len(l) < 1 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, ch := range l {
			if !isAlnum(ch) && !strings.ContainsRune("-_*@", ch) {
				return false
			}
		}
	}
	return true
}

func checkRecordName(v any) string {
	s, _ := v.(string)
	if !recordNameOK(s) {
		return `Does not match pattern ^(?:(?!-)[-_*@a-zA-Z0-9]{1,63}(?<!-)(\.|$))*(?<!\.)$`
	}
	return ""
}
