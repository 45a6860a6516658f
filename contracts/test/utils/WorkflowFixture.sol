// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CareRelationships} from "../../workflows/CareRelationships.sol";
import {EmergencyAccess} from "../../workflows/EmergencyAccess.sol";
import {LabOrders} from "../../workflows/LabOrders.sol";
import {Prescriptions} from "../../workflows/Prescriptions.sol";
import {ConsentScope, ProviderForm, ProviderKind, Purpose} from "../../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./CareLedgerFixture.sol";
import {VM} from "./Vm.sol";

/// @title WorkflowFixture
/// @notice The core contracts of `CareLedgerFixture` plus the four workflow contracts, wired as in
/// deployment: the workflows that anchor records hold the registry's workflow role, and the access
/// sources are registered with the consent manager.
abstract contract WorkflowFixture is CareLedgerFixture {
    Prescriptions internal _prescriptions;
    LabOrders internal _labOrders;
    EmergencyAccess internal _emergency;
    CareRelationships internal _relationships;

    /// @dev An emergency department.
    address internal _emergencyDept = address(0xE4D1);
    /// @dev A ward (organisation) of `_hospital`.
    address internal _ward = address(0x3A4D);
    /// @dev A practitioner of `_ward`.
    address internal _wardDoctor = address(0xD0C3);
    /// @dev A second pharmacy, never designated.
    address internal _pharmacy2 = address(0xFA42);

    function _deployWorkflows() internal {
        _deploy();
        _registerDefaultProviders();
        _register(_emergencyDept, ProviderKind.EmergencyDepartment, ProviderForm.Organisation, address(0));
        _register(_ward, ProviderKind.Hospital, ProviderForm.Organisation, _hospital);
        _register(_wardDoctor, ProviderKind.Doctor, ProviderForm.Practitioner, _ward);
        _register(_pharmacy2, ProviderKind.Pharmacy, ProviderForm.Organisation, address(0));

        _prescriptions = new Prescriptions(_consent);
        _labOrders = new LabOrders(_consent);
        _emergency = new EmergencyAccess(_consent);
        _relationships = new CareRelationships(_consent);

        bytes32 role = _registry.WORKFLOW_ROLE();
        VM.startPrank(_admin);
        _registry.grantRole(role, address(_prescriptions));
        _registry.grantRole(role, address(_labOrders));
        _consent.addAccessSource(_labOrders);
        _consent.addAccessSource(_emergency);
        _consent.addAccessSource(_relationships);
        VM.stopPrank();
    }

    /// @dev The patient lets `pharmacy` dispense all of their prescriptions for a year.
    function _consentToDispensing(address patient, address pharmacy) internal returns (bytes32) {
        return _grantFor(patient, pharmacy, ConsentScope.AllRecords, bytes32(0), Purpose.Dispensing);
    }
}

/// @title WorkflowInvariants
/// @notice `WorkflowFixture` for stateful fuzzing: the runner fuzzes only the handler a suite names,
/// and only the actions it lists.
abstract contract WorkflowInvariants is WorkflowFixture {
    /// @dev The target-selection shape the runner reads (forge-std's `StdInvariant.FuzzSelector`).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] internal _targets;
    FuzzSelector[] internal _selectors;

    /// @dev Makes `handler` the runner's only target, and `actions` its only calls.
    function _fuzzOnly(address handler, bytes4[] memory actions) internal {
        _targets.push(handler);
        _selectors.push(FuzzSelector({addr: handler, selectors: actions}));
    }

    /// @notice Read by the runner: fuzz only the handler.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    /// @notice Read by the runner: call only the handler's actions.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _selectors;
    }
}
