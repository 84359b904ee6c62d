#!/usr/bin/env python3
# add-layer.py LAYOUT TAG KIND: appends a crafted layer to the image TAG of
# an OCI layout (umoci's), rewriting its config, manifest and index as a
# hostile producer would, with correct digests:
#   dotdot   an entry "../../x-dotdot"
#   symlink  a symlink "evil" -> OUTSIDE (env), then "evil/x-symlink"
#   hardlink a symlink "evil" -> OUTSIDE, then a hard link "x-hardlink" to
#            evil/target
#   absolute an entry "/tmp/.../x-absolute" (OUTSIDE)
#   opaque   opt/stuff made opaque (.wh..wh..opq), with opt/stuff/fresh
#   device   a character device "dev/null2" and a file "ok"
import gzip, hashlib, io, json, os, sys, tarfile

layout, tag, kind = sys.argv[1:4]
outside = os.environ.get("OUTSIDE", "/tmp/podrt-outside")

def blob_write(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d

def blob_read(digest):
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "rb") as f:
        return f.read()

def add(t, name, data=b"escaped\n", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)

raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    if kind == "dotdot":
        add(t, "../../x-dotdot")
    elif kind == "symlink":
        add(t, "evil", type=tarfile.SYMTYPE, linkname=outside)
        add(t, "evil/x-symlink")
    elif kind == "hardlink":
        add(t, "evil", type=tarfile.SYMTYPE, linkname=outside)
        add(t, "x-hardlink", type=tarfile.LNKTYPE, linkname="evil/target")
    elif kind == "absolute":
        add(t, outside + "/x-absolute")
    elif kind == "opaque":
        add(t, "opt/stuff", type=tarfile.DIRTYPE, mode=0o755)
        add(t, "opt/stuff/.wh..wh..opq", b"")
        add(t, "opt/stuff/fresh", b"fresh\n")
    elif kind == "device":
        add(t, "dev/null2", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
        add(t, "ok", b"ok\n")
    else:
        sys.exit("unknown kind " + kind)
tar = raw.getvalue()
diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
gz = gzip.compress(tar)
layer = blob_write(gz)

index = json.load(open(os.path.join(layout, "index.json")))
m = next(m for m in index["manifests"]
         if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
manifest = json.loads(blob_read(m["digest"]))
config = json.loads(blob_read(manifest["config"]["digest"]))
config["rootfs"]["diff_ids"].append(diff_id)
cdata = json.dumps(config).encode()
manifest["config"] = {"mediaType": manifest["config"]["mediaType"], "digest": blob_write(cdata), "size": len(cdata)}
manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": len(gz)})
mdata = json.dumps(manifest).encode()
m["digest"] = blob_write(mdata)
m["size"] = len(mdata)
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(index, f)
print(layer)
