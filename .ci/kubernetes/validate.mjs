// Validates config/kubernetes/*.yaml against the Kubernetes API schemas (kubernetes-models, the
// OpenAPI schemas of the API server as JSON Schema) and the Prometheus Operator's CRD schemas,
// then checks what a schema cannot: the relay sidecar's probes, Secret references, scrape port
// and resources. `node validate.mjs DIR`; exits 1 listing every problem.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2];
const problems = [];
const objects = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
    if (doc.errors.length) {
      problems.push(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj) objects.push({ file, obj });
  }
}

async function model(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
    : `kubernetes-models/${group === "" ? "" : group + "/"}${version}/${kind}`;
  return (await import(module))[kind];
}

for (const { file, obj } of objects) {
  const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
  try {
    const Model = await model(obj.apiVersion, obj.kind);
    new Model(obj).validate();
  } catch (e) {
    problems.push(`${where}: ${e.message}`);
  }
}

// What the schemas allow but the relay sidecar needs.
const secrets = new Map(objects.filter((o) => o.obj.kind === "Secret")
  .map((o) => [o.obj.metadata.name, Object.keys({ ...o.obj.data, ...o.obj.stringData })]));
for (const { file, obj } of objects.filter((o) => o.obj.kind === "Deployment")) {
  const pod = obj.spec.template.spec;
  const relay = (pod.initContainers ?? []).find((c) => c.name === "relay");
  const where = `${file}: Deployment/${obj.metadata.name}`;
  if (!relay) {
    problems.push(`${where}: no relay sidecar (an init container named relay)`);
    continue;
  }
  if (relay.restartPolicy !== "Always") problems.push(`${where}: the relay init container is not a sidecar (restartPolicy: Always)`);
  const probe = (p) => p?.httpGet?.path;
  if (probe(relay.livenessProbe) !== "/health/live") problems.push(`${where}: liveness probe is not /health/live`);
  if (probe(relay.readinessProbe) !== "/health/ready") problems.push(`${where}: readiness probe is not /health/ready`);
  if (probe(relay.startupProbe) !== "/health/ready") problems.push(`${where}: startup probe is not /health/ready`);
  for (const env of relay.env ?? []) {
    const ref = env.valueFrom?.secretKeyRef;
    if (ref && secrets.has(ref.name) && !secrets.get(ref.name).includes(ref.key)) {
      problems.push(`${where}: ${env.name} reads key ${ref.key} that Secret ${ref.name} does not have`);
    }
  }
  for (const needed of ["RELAY_ADMIN_TOKEN", "RELAY_DB_PASSWORD"]) {
    const env = (relay.env ?? []).find((e) => e.name === needed);
    if (!env?.valueFrom?.secretKeyRef) problems.push(`${where}: ${needed} does not come from a Secret`);
  }
  if (!relay.resources?.requests?.cpu || !relay.resources?.requests?.memory || !relay.resources?.limits?.memory) {
    problems.push(`${where}: the relay needs cpu/memory requests and a memory limit`);
  }
  const annotations = obj.spec.template.metadata?.annotations ?? {};
  const port = (relay.ports ?? []).find((p) => String(p.containerPort) === annotations["prometheus.io/port"]);
  if (annotations["prometheus.io/scrape"] !== "true" || !port) {
    problems.push(`${where}: prometheus.io/scrape and prometheus.io/port must name the relay's port`);
  }
  if ((obj.spec.template.spec.terminationGracePeriodSeconds ?? 30) <= 30) {
    problems.push(`${where}: terminationGracePeriodSeconds must exceed shutdown.grace-period (30s)`);
  }
}

console.log(`${objects.length} Kubernetes objects in ${dir}: ${objects.map((o) => o.obj.kind).join(", ")}`);
if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("kubernetes manifests: valid");
