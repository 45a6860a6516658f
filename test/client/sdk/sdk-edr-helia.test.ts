import { describeSdkSuite } from "./helpers/sdk-suite.js";

describeSdkSuite("edr", "helia");
