import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Two days: a new admin must wait this long before accepting the role (two-step handover). */
const DEFAULT_ADMIN_TRANSFER_DELAY = 2 * 24 * 60 * 60;

/**
 * Deploys and wires every CareLedger contract. Parameters:
 * - `registrar`: first registrar of the provider directory (default: the deployer);
 * - `adminTransferDelay`: seconds before a new admin may accept (default: 2 days).
 * Ignition records each step in ignition/deployments/<id>/, so running it again resumes or
 * reuses what is there instead of deploying twice.
 */
export default buildModule("CareLedger", (m) => {
  const deployer = m.getAccount(0);
  const registrar = m.getParameter("registrar", deployer);
  const delay = m.getParameter("adminTransferDelay", DEFAULT_ADMIN_TRANSFER_DELAY);

  const directory = m.contract("ProviderDirectory", [deployer, registrar, delay]);
  const delegation = m.contract("PatientDelegation", [directory]);
  const registry = m.contract("RecordRegistry", [deployer, delay, directory, delegation]);
  const consent = m.contract("ConsentManager", [deployer, delay, directory, registry, delegation]);
  const prescriptions = m.contract("Prescriptions", [directory, registry, consent]);
  const labOrders = m.contract("LabOrders", [directory, registry, consent]);
  const emergency = m.contract("EmergencyAccess", [directory, registry, consent]);
  const relationships = m.contract("CareRelationships", [directory, registry, consent, delegation]);
  const keyRegistry = m.contract("EncryptionKeyRegistry", []);

  const workflowRole = m.staticCall(registry, "WORKFLOW_ROLE");
  m.call(registry, "grantRole", [workflowRole, prescriptions], { id: "GrantWorkflowRolePrescriptions" });
  m.call(registry, "grantRole", [workflowRole, labOrders], { id: "GrantWorkflowRoleLabOrders" });
  m.call(consent, "addAccessSource", [labOrders], { id: "AddAccessSourceLabOrders" });
  m.call(consent, "addAccessSource", [emergency], { id: "AddAccessSourceEmergency" });
  m.call(consent, "addAccessSource", [relationships], { id: "AddAccessSourceRelationships" });

  return { directory, delegation, registry, consent, prescriptions, labOrders, emergency, relationships, keyRegistry };
});
