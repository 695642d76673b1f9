import json, glob, os, datetime
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.exceptions import TemplateError
def raise_exception(m): raise TemplateError(m)
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
def strftime_now(f): return datetime.datetime(2026,1,15,12,0,0).strftime(f)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.filters["tojson"]=tojson
env.globals["raise_exception"]=raise_exception
env.globals["strftime_now"]=strftime_now
convs = [
 [{"role":"user","content":"Hello!"}],
 [{"role":"system","content":"You are terse."},{"role":"user","content":"Name three rivers."}],
 [{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello. How can I help?"},{"role":"user","content":"Tell me a joke  \n"}],
 [{"role":"user","content":"Grüße, 日本 \"q\""}],
]
out=[]
for path in sorted(glob.glob('/tmp/llama.cpp/models/templates/*.jinja')):
    src=open(path).read()
    for ci,conv in enumerate(convs):
      for agp in (True, False):
        try:
            t=env.from_string(src)
            r=t.render(messages=conv, add_generation_prompt=agp, bos_token="<s>", eos_token="</s>")
            out.append(dict(template=os.path.basename(path), conv=ci, agp=agp, expected=r, raises=None))
        except Exception as e:
            out.append(dict(template=os.path.basename(path), conv=ci, agp=agp, expected=None, raises=type(e).__name__+": "+str(e)))
json.dump(dict(convs=convs, cases=out), open('ref.json','w'), ensure_ascii=False)
print(len(out), sum(1 for c in out if c['raises']))
