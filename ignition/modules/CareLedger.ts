import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { NamedArtifactContractDeploymentFuture } from "@nomicfoundation/ignition-core";

import {
  ACCESS_SOURCES,
  DEFAULT_ADMIN_TRANSFER_DELAY,
  DEPLOYMENT_PLAN,
  WORKFLOW_CONTRACTS,
  type ContractName,
} from "../../client/deployment-plan.js";

// Future ids as the first deployments recorded them, so their journals keep matching.
const capitalised = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Deploys and wires every CareLedger contract of the deployment plan (client/deployment-plan.ts),
 * the same plan the SDK's `deployCareLedger` follows. Parameters:
 * - `registrar`: first registrar of the provider directory (default: the deployer);
 * - `adminTransferDelay`: seconds before a new admin may accept (default: 2 days).
 * Ignition records each step in ignition/deployments/<id>/, so running it again resumes or
 * reuses what is there instead of deploying twice.
 */
export default buildModule("CareLedger", (m) => {
  const settings = {
    deployer: m.getAccount(0),
    registrar: m.getParameter("registrar", m.getAccount(0)),
    adminTransferDelay: m.getParameter("adminTransferDelay", DEFAULT_ADMIN_TRANSFER_DELAY),
  };
  const deployed = {} as Record<ContractName, NamedArtifactContractDeploymentFuture<string>>;
  for (const planned of DEPLOYMENT_PLAN) {
    const args = planned.args.map((arg) => (typeof arg === "string" ? deployed[arg] : settings[arg.setting]));
    deployed[planned.name] = m.contract(planned.artifact, args);
  }

  const workflowRole = m.staticCall(deployed.registry, "WORKFLOW_ROLE");
  for (const workflow of WORKFLOW_CONTRACTS) {
    m.call(deployed.registry, "grantRole", [workflowRole, deployed[workflow]], {
      id: `GrantWorkflowRole${capitalised(workflow)}`,
    });
  }
  for (const source of ACCESS_SOURCES) {
    m.call(deployed.consent, "addAccessSource", [deployed[source]], { id: `AddAccessSource${capitalised(source)}` });
  }
  return deployed;
});
