import { describeSdkSuite } from "./helpers/sdk-suite.js";

describeSdkSuite("json-rpc", "helia");
